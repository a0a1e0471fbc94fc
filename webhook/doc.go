// Package webhook tells the marketplace what fairmark decided, by webhook:
// signed in the Standard Webhooks style (https://www.standardwebhooks.com),
// kept in a durable outbox and retried with backoff until the marketplace
// answers 2xx.
//
// Producers enqueue a [Message] for the endpoints that want it, in the same
// transaction as the decision that caused it (the store's outbox does
// this), so a decision is never committed without its notification nor a
// notification sent for a decision that rolled back. A [Dispatcher] claims
// due deliveries from the [Outbox], POSTs them and records the outcome.
// Every attempt of a message carries the same webhook-id, the message id
// the producer chose, so receivers can drop duplicates: delivery is at
// least once.
//
// Receivers check a request with [Verify].
package webhook
