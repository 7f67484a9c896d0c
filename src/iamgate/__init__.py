"""iamgate: an AWS IAM compliance gate for CI/GitOps."""

__version__ = "0.1.0"
