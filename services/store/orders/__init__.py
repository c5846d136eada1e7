"""Orders: create (create.py), take payment (payment.py), fulfil exactly
once (fulfil.py), look up and show (lookup.py), reconcile (reconcile.py).

Importing the package loads nothing; import the module you need.
"""
