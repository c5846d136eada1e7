"""What is sold and how it is paid: packages, coupons, orders, payment providers."""
