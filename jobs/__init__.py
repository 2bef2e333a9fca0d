"""Training jobs, installed as ``dash_app.jobs``: plain PyTorch that reports progress and knows no Dash."""
