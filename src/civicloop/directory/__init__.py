"""The service directory: who delivers which public service, where, when and for whom (Open Referral HSDS 3.0)."""
