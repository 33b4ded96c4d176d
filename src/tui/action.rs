//! Everything a user can ask the TUI to do. Keys map to these in `keymap`; `update`
//! carries them out.

/// A user action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Move focus to the next pane.
    FocusNext,
    /// Move focus to the previous pane.
    FocusPrev,
    /// Open or close the help overlay.
    ToggleHelp,
    /// Save the scenario (asks for a file name when it has none).
    Save,
    /// Save under a name typed now (prefilled with the file's), whatever the file is.
    SaveAs,
    /// Save the whole scenario (every policy and request) under a new name: for a bare
    /// policy file, whose own save writes the policy only.
    SaveScenarioAs,
    /// Quit (asks first when there are unsaved changes).
    Quit,
    /// Copy the editor's selection (Ctrl+V pastes it).
    Copy,
    /// Paste what the editor's copy or cut took.
    PasteCopied,
    /// Show the next request of the scenario.
    NextRequest,
    /// Show the previous request of the scenario.
    PrevRequest,
    /// Edit the next policy of the scenario.
    NextPolicy,
    /// Edit the previous policy of the scenario.
    PrevPolicy,
    /// Add a new policy to the scenario.
    AddPolicy,
    /// Delete the edited policy (asks first).
    DeletePolicy,
    /// Rename the edited policy.
    RenamePolicy,
    /// Add a request after the one shown: blank, a copy, or a copy with a preset
    /// (asks which).
    AddRequest,
    /// Add a copy of the request shown after it.
    DuplicateRequest,
    /// Rename the request shown (its `via` links follow).
    RenameRequest,
    /// Delete the request shown (asks first; the last one is kept).
    DeleteRequest,
    /// Move the request shown one place earlier.
    MoveRequestEarlier,
    /// Move the request shown one place later.
    MoveRequestLater,
    /// Give the edited policy the next type (identity, resource, boundary, …).
    CyclePolicyType,
    /// Set where the edited policy sits (attachedTo, or SCP/RCP level).
    PlacePolicy,
    /// Show the next view in the bottom-right pane: trace, what-if grid, changes, lint.
    NextView,
    /// Choose the what-if grid's axes.
    GridAxes,
    /// Go to a request by its number (a trail's by its record number).
    GoToRequest,
    /// Show the scenario's name, description and expectations whole.
    About,
    /// Apply the suggested policy edit selected in the trace (else the first).
    ApplyFix,
    /// Take the request's current decision as its expected one (`expect`).
    SetExpect,
    /// Apply the next request preset (direct call, on your behalf, VPC endpoint, …).
    NextPreset,
    /// Undo the last change (policy text, request, list of policies).
    Undo,
    /// Redo the last undone change.
    Redo,
    /// Move the selection up (request field, trace node, grid row, finding, choice).
    Up,
    /// Move the selection down.
    Down,
    /// Move a page up in the trace.
    PageUp,
    /// Move a page down in the trace.
    PageDown,
    /// Select the first row of the trace.
    First,
    /// Select the last row of the trace.
    Last,
    /// Move the cursor left (request form) or the grid's selection a column left.
    CursorLeft,
    /// Move the cursor right (request form) or the grid's selection a column right.
    CursorRight,
    /// Move the cursor to the start of the row (request form).
    CursorStart,
    /// Move the cursor to the end of the row (request form).
    CursorEnd,
    /// Delete the character before the cursor (request form, prompts).
    DeleteBack,
    /// Delete the character under the cursor (request form).
    DeleteForward,
    /// Go to the next row of the request form; on the last, add a context key.
    NextRow,
    /// Type a character (request form, prompts): any plain key no binding takes.
    Type(char),
    /// Load the selected what-if grid cell into the request shown.
    LoadCell,
    /// Collapse the selected trace node.
    Collapse,
    /// Expand the selected trace node.
    Expand,
    /// Jump the editor to the policy text of the selected trace node.
    JumpToSource,
    /// Show only what decided, or everything.
    ToggleDecidingOnly,
    /// Complete the action, resource, operator or condition key being typed.
    Complete,
    /// List the actions the action pattern under the cursor matches.
    ExpandActions,
    /// Pretty-print the policy shown (only when asked: the file's formatting is kept
    /// otherwise).
    Reformat,
    /// Add a context key to the request.
    AddContextKey,
    /// Delete the selected context key.
    DeleteContextKey,
    /// Answer yes in a question.
    Yes,
    /// Answer no in a question (`n`): where no does something (the recovery
    /// question: delete the file) it is done.
    No,
    /// Close the overlay or prompt without answering (Esc): nothing is deleted.
    Cancel,
    /// Confirm the text typed in a prompt.
    Confirm,
    /// Tick or untick the choice selected (the what-if axes picker).
    Tick,
    /// Show the lesson's next hint.
    NextHint,
    /// Open the list of lessons.
    LessonList,
    /// Open the next lesson.
    NextLesson,
    /// Predict the decision shown next: Allow.
    PredictAllow,
    /// Predict: Implicit deny.
    PredictImplicitDeny,
    /// Predict: Explicit deny.
    PredictExplicitDeny,
}
