"""The web app: public results, the consultation report, the webhook, the playground."""
