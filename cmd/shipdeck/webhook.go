package main

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/shipdeck/shipdeck/metrics"
	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/sync/tiktok"
)

// webhookHandler verifies TikTok's notifications, drops duplicates, and
// turns each order status change into an immediate targeted fetch, so
// polling becomes a backstop.
func (a *app) webhookHandler() (http.Handler, error) {
	secretV, err := a.secret("shop.app_secret_env", a.cfg.Shop.AppSecretEnv)
	if err != nil {
		return nil, err
	}
	v := &tiktok.Verifier{AppKey: a.cfg.Shop.AppKey, AppSecret: secretV, Now: a.now,
		Seen: func(ctx context.Context, id string) (bool, error) {
			var seen bool
			err := a.st.Update(ctx, func(tx *store.Tx) error {
				var err error
				seen, err = tx.SeenNotification(id, a.now())
				return err
			})
			return seen, err
		}}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		body, err := tiktok.ReadBody(r, 1<<20)
		if err != nil {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		n, err := v.Verify(r.Context(), r.Header.Get("Authorization"), body)
		switch {
		case errors.Is(err, tiktok.ErrDuplicate):
			a.ops.metrics.Webhook(metrics.WebhookDuplicate)
			w.WriteHeader(http.StatusOK) // acknowledged before; TikTok stops retrying
			return
		case errors.Is(err, tiktok.ErrBadSignature):
			a.ops.metrics.Webhook(metrics.WebhookBadSignature)
			a.log.Warn("webhook: bad signature", "remote", r.RemoteAddr)
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		case err != nil:
			a.ops.metrics.Webhook(metrics.WebhookRefused)
			a.log.Warn("webhook refused", "remote", r.RemoteAddr, "err", err)
			http.Error(w, "refused", http.StatusBadRequest)
			return
		}
		a.ops.metrics.Webhook(metrics.WebhookAccepted)
		if n.Type == 1 { // ORDER_STATUS_CHANGE
			var d tiktok.OrderStatusChange
			if json.Unmarshal(n.Data, &d) == nil && d.OrderID != "" {
				a.eng.Notify(d.OrderID)
			}
		}
		w.WriteHeader(http.StatusOK)
	}), nil
}

// serveWebhooks listens on [webhook] listen until ctx ends. It returns
// nil at once when no listener is configured.
func (a *app) serveWebhooks(ctx context.Context) error {
	if a.cfg.Webhook.Listen == "" || a.cfg.Shop.AppKey == "" {
		return nil
	}
	h, err := a.webhookHandler()
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", a.cfg.Webhook.Listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	a.log.Info("webhook listener", "addr", l.Addr().String())
	if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
