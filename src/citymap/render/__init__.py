"""Interactive maps of the plan: one HTML page per map, drawn by Leaflet on a canvas.

``map`` renders one map from the workspace, the metrics and options; ``build`` writes the
folder of maps (``citymap build``); ``assets`` provides the JavaScript libraries (CDN links
or an offline bundle from ``node_modules``); ``popup`` and ``panel`` prepare the data of
popups and of the metrics panel.
"""
