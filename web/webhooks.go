package web

import (
	"net/http"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/webhook"
)

// webhookRoutes are the operator's view of the webhook outbox: what was
// sent to the marketplace, what is waiting or dead, and replay.
func (s *Server) webhookRoutes() {
	s.handleFor("GET /v1/webhooks/deliveries", s.getWebhookDeliveries, opLead)
	s.handleFor("POST /v1/webhooks/deliveries/{id}/replay", s.replayWebhookDelivery, opLead)
}

func (s *Server) outbox() (webhook.Outbox, error) {
	if s.Webhooks == nil {
		return nil, fairmark.Errorf(fairmark.ENOTFOUND, "webhooks not configured")
	}
	return s.Webhooks, nil
}

// getWebhookDeliveries lists deliveries, newest first, filtered by status,
// message type, endpoint or message id.
func (s *Server) getWebhookDeliveries(w http.ResponseWriter, r *http.Request) error {
	ob, err := s.outbox()
	if err != nil {
		return err
	}
	limit, err := limitParam(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	ds, err := ob.Deliveries(r.Context(), webhook.DeliveryFilter{
		Status: webhook.Status(q.Get("status")), Type: q.Get("type"),
		Endpoint: q.Get("endpoint"), MessageID: q.Get("message"), Limit: limit,
	})
	if err != nil {
		return err
	}
	if ds == nil {
		ds = []webhook.Delivery{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"deliveries": ds})
}

// replayWebhookDelivery makes a delivery pending and due now, with the same
// id and webhook-id, and returns it.
func (s *Server) replayWebhookDelivery(w http.ResponseWriter, r *http.Request) error {
	ob, err := s.outbox()
	if err != nil {
		return err
	}
	d, err := ob.Replay(r.Context(), webhook.DeliveryID(r.PathValue("id")))
	if err != nil {
		return err
	}
	s.Logger.Info("webhook delivery replayed", "delivery", d.ID, "message", d.Message.ID, "type", d.Message.Type, "endpoint", d.Endpoint)
	return writeJSON(w, http.StatusOK, d)
}
