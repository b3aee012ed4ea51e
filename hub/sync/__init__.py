"""The hub-to-hub sync of a province (docs/province.md): the centre's link and the province's receiver,
each an MQTT v5 client in a thread of the hub with its own database connection."""
