//! Fitting a row of tabs into a width: every tab whole when they fit; else the current
//! tab whole and the others shortened; else the current tab and as many of its
//! neighbours as fit in their shortest form, with ‹ › where tabs are left out. The
//! current tab is always shown.

/// How a tab is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// Its whole label.
    Full,
    /// A shortened label.
    Short,
    /// Its number only.
    Number,
}

/// The tabs to draw, in order, each with its form; and whether tabs are left out before
/// and after them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fitted {
    /// (tab index, form), in order.
    pub tabs: Vec<(usize, Form)>,
    /// Tabs before the first shown are left out.
    pub more_before: bool,
    /// Tabs after the last shown are left out.
    pub more_after: bool,
}

/// Fits tabs whose widths (each with its separator) are `width(i, form)` for `n` tabs
/// into `room` columns, `current` always shown. The ‹ › markers take a column each.
pub fn fit(n: usize, current: usize, room: usize, width: &dyn Fn(usize, Form) -> usize) -> Fitted {
    let current = current.min(n.saturating_sub(1));
    let all = |form_of: &dyn Fn(usize) -> Form| -> Option<Fitted> {
        let total: usize = (0..n).map(|i| width(i, form_of(i))).sum();
        (total <= room).then(|| Fitted {
            tabs: (0..n).map(|i| (i, form_of(i))).collect(),
            more_before: false,
            more_after: false,
        })
    };
    if let Some(f) = all(&|_| Form::Full) {
        return f;
    }
    if let Some(f) = all(&|i| {
        if i == current {
            Form::Full
        } else {
            Form::Short
        }
    }) {
        return f;
    }
    // A window around the current tab, the others by number.
    let room = room.saturating_sub(2);
    // Whole when that leaves room for a neighbour on each side by number.
    let neighbours: usize = [current.checked_sub(1), Some(current + 1).filter(|&i| i < n)]
        .into_iter()
        .flatten()
        .map(|i| width(i, Form::Number))
        .sum();
    let own = if width(current, Form::Full) + neighbours <= room {
        Form::Full
    } else {
        Form::Short
    };
    let cost = |i: usize| {
        if i == current {
            width(i, own)
        } else {
            width(i, Form::Number)
        }
    };
    let (mut from, mut to) = (current, current + 1);
    let mut taken = cost(current);
    loop {
        let mut grew = false;
        if to < n && taken + cost(to) <= room {
            taken += cost(to);
            to += 1;
            grew = true;
        }
        if from > 0 && taken + cost(from - 1) <= room {
            taken += cost(from - 1);
            from -= 1;
            grew = true;
        }
        if !grew {
            break;
        }
    }
    Fitted {
        tabs: (from..to)
            .map(|i| (i, if i == current { own } else { Form::Number }))
            .collect(),
        more_before: from > 0,
        more_after: to < n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tabs of full width `full[i]`, 6 shortened, 3 by number.
    fn widths(full: &[usize]) -> impl Fn(usize, Form) -> usize + '_ {
        move |i, f| match f {
            Form::Full => full[i],
            Form::Short => full[i].min(6),
            Form::Number => 3,
        }
    }

    #[test]
    fn whole_when_they_fit_then_shortened_then_a_window() {
        let full = [10, 12, 8, 20];
        let w = widths(&full);
        let f = fit(4, 1, 50, &w);
        assert!(f.tabs.iter().all(|t| t.1 == Form::Full));
        assert_eq!(f.tabs.len(), 4);
        // 12 + 6 + 6 + 6 = 30.
        let f = fit(4, 1, 30, &w);
        assert_eq!(
            f.tabs,
            vec![
                (0, Form::Short),
                (1, Form::Full),
                (2, Form::Short),
                (3, Form::Short)
            ]
        );
        assert!(!f.more_before && !f.more_after);
        // 24 columns (22 beside the markers): the current whole (12 and its two
        // neighbours by number fit), the others by number.
        let f = fit(4, 1, 24, &w);
        assert_eq!(
            f.tabs,
            vec![
                (0, Form::Number),
                (1, Form::Full),
                (2, Form::Number),
                (3, Form::Number)
            ]
        );
        // 16 columns: the current shortened (12 + 3 + 3 > 14), and a marker for the
        // one left out.
        let f = fit(4, 1, 16, &w);
        assert_eq!(
            f.tabs,
            vec![(0, Form::Number), (1, Form::Short), (2, Form::Number)]
        );
        assert!(!f.more_before && f.more_after);
    }

    #[test]
    fn the_current_tab_is_always_shown() {
        let full = [30; 40];
        let w = widths(&full);
        for current in [0, 17, 39, 100] {
            let f = fit(40, current, 12, &w);
            assert!(
                f.tabs.iter().any(|t| t.0 == current.min(39)),
                "{current}: {f:?}"
            );
        }
        assert_eq!(fit(0, 0, 10, &w).tabs, vec![]);
    }
}
