"""Compositing: the scene model, image intake and validation, and Pillow rendering. No Dash, no Flask."""
