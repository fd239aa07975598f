"""The same small app in each supported framework, for end-to-end tests through the adapter."""
