package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/shipdeck/shipdeck/cmd/shipdeck/conncap"
	"github.com/shipdeck/shipdeck/metrics"
	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/sync/tiktok"
)

// webhookHandler verifies TikTok's notifications, drops duplicates (on
// tts_notification_id, or the body's hash when an older payload has none)
// and hands each to the engine, which fetches the orders named at once, so
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
		if err := a.eng.HandleNotification(r.Context(), n); err != nil {
			// Acknowledged all the same: TikTok would resend the same
			// bytes, and the poll's sweep is the backstop.
			a.log.Warn("webhook not acted on", "notification", n.NotificationID, "type", n.Type, "err", err)
		}
		w.WriteHeader(http.StatusOK)
	}), nil
}

// defaultWebhookConns is [webhook] max_connections by default: TikTok
// delivers notifications a few at a time, and the cap leaves most of a
// 1024-descriptor limit to the store, the log and the SSH server.
const defaultWebhookConns = 256

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
	wc := a.cfg.Webhook
	raw, err := net.Listen("tcp", wc.Listen)
	if err != nil {
		return err
	}
	l := conncap.Wrap(raw, conncap.Config{Name: "webhook", Max: wc.MaxConnections, Logger: a.log})
	srv := &http.Server{Handler: h,
		ReadHeaderTimeout: wc.ReadTimeout.Duration, ReadTimeout: wc.ReadTimeout.Duration,
		WriteTimeout: 30 * time.Second, IdleTimeout: wc.IdleTimeout.Duration,
		// net/http prints its own errors to stderr unless told otherwise.
		ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelWarn)}
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
