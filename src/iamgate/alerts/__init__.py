"""Alerts on CloudTrail events, judged by what they catch: the two pattern languages AWS alerts
are written in (CloudWatch Logs filter patterns, EventBridge event patterns), read as AWS reads
them; sample CloudTrail records of the events each CIS control names; and which of those events
a set of filters or rules catches, with the sentence that says what is missed.

Pure: no snapshot, no AWS. ``iamgate.checks.alert_chain`` follows an alert from the trail to
the person on top of it.
"""
