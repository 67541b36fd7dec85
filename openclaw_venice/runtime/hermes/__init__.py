"""The Hermes Agent bridge: every provider the host loads, as a Hermes model provider.

``bridge`` is the logic (pure, no Hermes import); ``profile`` wires it to Hermes'
``ProviderProfile`` inside a Hermes process; ``install`` writes and removes the plugin
folders Hermes 0.19 loads; ``entry`` is the ``hermes_agent.plugins`` entry point.
"""
