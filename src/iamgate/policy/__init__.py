"""The IAM policy language: documents, what they allow, trust, escalation paths."""
