"""The seat-voucher services: every write of the concern. See vouchers.py (freelancers, vouchers) and
claims.py (the operators' monthly seat claims and finance's hook)."""
