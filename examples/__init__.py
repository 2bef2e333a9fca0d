"""Examples of using the product; not installed with it."""
