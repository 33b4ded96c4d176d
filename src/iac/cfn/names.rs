//! What CloudFormation returns for `Ref` and `Fn::GetAtt` of the resource types whose
//! names and ARNs follow a known format: the physical name when the template gives it
//! (`RoleName`, `BucketName`…), the ARN or URL built from it. A name CloudFormation
//! generates becomes the placeholder `⟦name of LOGICAL_ID⟧`, the same wherever it
//! appears, so that an ARN built around it still says what it is and two references to
//! one resource stay equal.

/// The property holding a resource type's physical name.
pub fn name_property(ty: &str) -> Option<&'static str> {
    Some(match ty {
        "AWS::IAM::Role" => "RoleName",
        "AWS::IAM::User" => "UserName",
        "AWS::IAM::Group" => "GroupName",
        "AWS::IAM::ManagedPolicy" => "ManagedPolicyName",
        "AWS::IAM::InstanceProfile" => "InstanceProfileName",
        "AWS::S3::Bucket" => "BucketName",
        "AWS::SQS::Queue" => "QueueName",
        "AWS::SNS::Topic" => "TopicName",
        "AWS::Lambda::Function" | "AWS::Serverless::Function" => "FunctionName",
        "AWS::DynamoDB::Table" => "TableName",
        "AWS::StepFunctions::StateMachine" => "StateMachineName",
        "AWS::Serverless::StateMachine" => "Name",
        "AWS::Logs::LogGroup" => "LogGroupName",
        "AWS::SecretsManager::Secret" => "Name",
        "AWS::KMS::Alias" => "AliasName",
        "AWS::ECR::Repository" => "RepositoryName",
        "AWS::Kinesis::Stream" => "Name",
        _ => return None,
    })
}

/// What a resource is known by, for building its `Ref` and ARNs.
pub struct Known<'a> {
    /// The resource type.
    pub ty: &'a str,
    /// The physical name (or the placeholder for a generated one).
    pub name: &'a str,
    /// The IAM path (`Path`, default `/`), for users, roles, groups and policies.
    pub path: &'a str,
    /// The partition, region and account in effect.
    pub partition: &'a str,
    /// The region.
    pub region: &'a str,
    /// The account.
    pub account: &'a str,
}

impl Known<'_> {
    /// The ARN, when the type's ARN format is known.
    pub fn arn(&self) -> Option<String> {
        let Known {
            ty,
            name,
            path,
            partition: p,
            region: r,
            account: a,
        } = self;
        Some(match *ty {
            "AWS::IAM::Role" => format!("arn:{p}:iam::{a}:role{path}{name}"),
            "AWS::IAM::User" => format!("arn:{p}:iam::{a}:user{path}{name}"),
            "AWS::IAM::Group" => format!("arn:{p}:iam::{a}:group{path}{name}"),
            "AWS::IAM::ManagedPolicy" => format!("arn:{p}:iam::{a}:policy{path}{name}"),
            "AWS::IAM::InstanceProfile" => {
                format!("arn:{p}:iam::{a}:instance-profile{path}{name}")
            }
            "AWS::S3::Bucket" => format!("arn:{p}:s3:::{name}"),
            "AWS::SQS::Queue" => format!("arn:{p}:sqs:{r}:{a}:{name}"),
            "AWS::SNS::Topic" => format!("arn:{p}:sns:{r}:{a}:{name}"),
            "AWS::Lambda::Function" | "AWS::Serverless::Function" => {
                format!("arn:{p}:lambda:{r}:{a}:function:{name}")
            }
            "AWS::DynamoDB::Table" => format!("arn:{p}:dynamodb:{r}:{a}:table/{name}"),
            "AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine" => {
                format!("arn:{p}:states:{r}:{a}:stateMachine:{name}")
            }
            "AWS::Logs::LogGroup" => format!("arn:{p}:logs:{r}:{a}:log-group:{name}:*"),
            "AWS::ECR::Repository" => format!("arn:{p}:ecr:{r}:{a}:repository/{name}"),
            "AWS::Kinesis::Stream" => format!("arn:{p}:kinesis:{r}:{a}:stream/{name}"),
            // A key's id is always generated: its "name" is the placeholder.
            "AWS::KMS::Key" => format!("arn:{p}:kms:{r}:{a}:key/{name}"),
            // Secrets Manager adds six random characters to the name.
            "AWS::SecretsManager::Secret" if crate::iac::placeholder::contains(name) => {
                format!("arn:{p}:secretsmanager:{r}:{a}:secret:{name}")
            }
            "AWS::SecretsManager::Secret" => format!(
                "arn:{p}:secretsmanager:{r}:{a}:secret:{name}-{}",
                crate::iac::placeholder::make("random suffix")
            ),
            _ => return None,
        })
    }

    /// What `Ref` returns, when known: the name for most types, the ARN for managed
    /// policies, topics and state machines, the URL for queues.
    pub fn reference(&self) -> Option<String> {
        match self.ty {
            "AWS::IAM::ManagedPolicy"
            | "AWS::SNS::Topic"
            | "AWS::StepFunctions::StateMachine"
            | "AWS::Serverless::StateMachine" => self.arn(),
            "AWS::SQS::Queue" => Some(format!(
                "https://sqs.{}.{}/{}/{}",
                self.region,
                url_suffix(self.partition),
                self.account,
                self.name
            )),
            "AWS::SecretsManager::Secret" => self.arn(),
            "AWS::KMS::Key" => Some(self.name.to_string()),
            ty => name_property(ty).map(|_| self.name.to_string()),
        }
    }

    /// `Fn::GetAtt` of `attribute`, when known.
    pub fn attribute(&self, attribute: &str) -> Option<String> {
        match (self.ty, attribute) {
            ("AWS::IAM::ManagedPolicy", "PolicyArn") => self.arn(),
            ("AWS::SNS::Topic", "TopicArn") => self.arn(),
            ("AWS::SNS::Topic", "TopicName") => Some(self.name.to_string()),
            ("AWS::SQS::Queue", "QueueName") => Some(self.name.to_string()),
            ("AWS::SQS::Queue", "QueueUrl") => self.reference(),
            ("AWS::S3::Bucket", "DomainName") => {
                Some(format!("{}.s3.{}", self.name, url_suffix(self.partition)))
            }
            ("AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine", "Name") => {
                Some(self.name.to_string())
            }
            ("AWS::KMS::Key", "KeyId") => Some(self.name.to_string()),
            (_, "Arn") => self.arn(),
            _ => None,
        }
    }
}

/// The domain suffix of a partition's endpoints.
pub fn url_suffix(partition: &str) -> &'static str {
    match partition {
        "aws-cn" => "amazonaws.com.cn",
        "aws-iso" => "c2s.ic.gov",
        "aws-iso-b" => "sc2s.sgov.gov",
        _ => "amazonaws.com",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known<'a>(ty: &'a str, name: &'a str) -> Known<'a> {
        Known {
            ty,
            name,
            path: "/",
            partition: "aws",
            region: "eu-west-1",
            account: "111122223333",
        }
    }

    #[test]
    fn arns_and_references_follow_each_type() {
        let role = Known {
            path: "/app/",
            ..known("AWS::IAM::Role", "r")
        };
        assert_eq!(
            role.attribute("Arn").as_deref(),
            Some("arn:aws:iam::111122223333:role/app/r")
        );
        assert_eq!(role.reference().as_deref(), Some("r"));
        assert_eq!(role.attribute("RoleId"), None);
        let q = known("AWS::SQS::Queue", "q.fifo");
        assert_eq!(
            q.reference().as_deref(),
            Some("https://sqs.eu-west-1.amazonaws.com/111122223333/q.fifo")
        );
        assert_eq!(
            q.attribute("Arn").as_deref(),
            Some("arn:aws:sqs:eu-west-1:111122223333:q.fifo")
        );
        let t = known("AWS::SNS::Topic", "t");
        assert_eq!(t.reference(), t.attribute("TopicArn"));
        let p = known("AWS::IAM::ManagedPolicy", "p");
        assert_eq!(
            p.reference().as_deref(),
            Some("arn:aws:iam::111122223333:policy/p")
        );
        assert_eq!(
            known("AWS::S3::Bucket", "b").attribute("Arn").as_deref(),
            Some("arn:aws:s3:::b")
        );
        assert_eq!(
            known("AWS::KMS::Key", "⟦name of K⟧")
                .attribute("Arn")
                .as_deref(),
            Some("arn:aws:kms:eu-west-1:111122223333:key/⟦name of K⟧")
        );
        assert_eq!(
            known("AWS::SecretsManager::Secret", "s")
                .reference()
                .as_deref(),
            Some("arn:aws:secretsmanager:eu-west-1:111122223333:secret:s-⟦random suffix⟧")
        );
        assert_eq!(known("AWS::EC2::VPC", "v").reference(), None);
    }
}
