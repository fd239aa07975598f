"""The few AWS API calls the adapter makes itself, with the standard library only, so
that the layer needs no SDK: one HTTP request (client), the function's credentials
(credentials), Signature Version 4 (sigv4), and Lambda's asynchronous Invoke (invoke),
which queues background tasks. Imported only when a task is queued on Lambda: hmac and
http.client cost a cold start more than the rest of the adapter."""
