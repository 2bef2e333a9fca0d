"""Page layouts, installed as ``dash_app.pages``: each module has ``PAGE`` (its registration) and ``layout``.

Pages hold layouts only; behaviour lives in ``dash_app.callbacks``. The factory registers the modules
listed in :data:`PAGE_MODULES`, in this order, so the navbar and the home page list them the same way.
"""

PAGE_MODULES = ("home", "data", "training", "compose", "training_run", "training_compare", "not_found_404")
