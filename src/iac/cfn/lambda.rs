//! `AWS::Lambda::Permission` has no document: it adds one statement to the function's
//! resource policy, as Lambda's AddPermission does. The properties are read here; the
//! statement is built by [`crate::iac::lambda`], which the Terraform reader shares.
//! `FunctionName` is a name (with `:ALIAS` or `:VERSION`), an ARN or a partial ARN; a
//! name is placed in the template's partition, region and account.

use super::extract::{Extractor, Res};
use super::resolve::scalar_text;
use crate::iac::Document;
use crate::iac::lambda::{Permission, function_arn};
use crate::policy::PolicyKind;

impl Extractor<'_> {
    pub(super) fn lambda_permission(&mut self, res: &Res) {
        let o = self.r.options().clone();
        let at = |name: &str| res.prop(name).map_or(res.span, |n| n.span);
        let text = |name: &str| res.prop(name).and_then(scalar_text);
        let value = |name: &str| text(name).map(|v| (v, at(name)));
        let function = text("FunctionName").unwrap_or_default();
        let arn = function_arn(&function, None, &o.partition, &o.region, &o.account);
        let permission = Permission {
            sid: Some((res.id.to_string(), res.span)),
            action: (text("Action").unwrap_or_default(), at("Action")),
            function: (arn.clone(), at("FunctionName")),
            principal: (text("Principal").unwrap_or_default(), at("Principal")),
            source_arn: value("SourceArn"),
            source_account: value("SourceAccount"),
            principal_org_id: value("PrincipalOrgID"),
            function_url_auth_type: value("FunctionUrlAuthType"),
            event_source_token: value("EventSourceToken"),
            partition: o.partition.clone(),
            span: res.props.span,
        };
        let name = format!("{}/Permission", res.id);
        self.push(
            res,
            name,
            PolicyKind::Resource,
            Document::Inline(permission.document()),
            Vec::new(),
            Some(arn),
            false,
        );
        // Named as pushed (made unique there).
        if let Some(p) = self.inv.policies.last() {
            self.inv.synthesised.push(p.name.clone());
        }
    }
}
