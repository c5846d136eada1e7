"""Read-only numbers for people: the admin's reports, a customer's usage, channel statistics."""
