"""API Gateway, socket-free: routes, proxy events, response mapping, CORS, its own replies.

Uses config values and the runtime's Invoker seam; no sockets."""
