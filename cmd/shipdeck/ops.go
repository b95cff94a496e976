package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"runtime"
	"runtime/debug"
	gosync "sync"
	"time"

	"github.com/shipdeck/shipdeck/alert"
	"github.com/shipdeck/shipdeck/logging"
	"github.com/shipdeck/shipdeck/metrics"
	"github.com/shipdeck/shipdeck/store"
	shipsync "github.com/shipdeck/shipdeck/sync"
	"github.com/shipdeck/shipdeck/sync/tiktok"
)

// errNoSecret marks a secret left unset where the command does not need it.
var errNoSecret = errors.New("secret not set")

// unsetSecret stands in for a carrier secret a read-only command runs
// without: adapters need a value, and these commands never call the 3PL.
const unsetSecret = "unset-for-read-only-command"

// missingSecret reports, for a command that runs without secrets, whether
// any of the named variables is unset.
func (a *app) missingSecret(envs ...string) bool {
	if !a.noSecrets {
		return false
	}
	for _, e := range envs {
		if v, ok := a.getenv(e); e != "" && (!ok || v == "") {
			return true
		}
	}
	return false
}

// logSink is where the log goes and what closes it.
type logSink struct {
	file    *logging.RotatingFile
	limiter *logging.Limiter
}

func (l *logSink) close() {
	if l.limiter != nil {
		l.limiter.Flush(context.Background())
	}
	if l.file != nil {
		_ = l.file.Close()
	}
}

// openLog builds the program log from [log]: to w when headless (stderr,
// for journald), else to shipdeck.log in the data directory, capped and
// rotated, never to the terminal the console draws on.
func (a *app) openLog(w io.Writer) error {
	lc := a.cfg.Log
	if w == nil {
		f, err := logging.OpenRotating(filepath.Join(a.dataDir, "shipdeck.log"), int64(lc.MaxSizeMB)<<20, lc.Keep)
		if err != nil {
			return err
		}
		a.logs.file = f
		w = f
	}
	log, lim, err := logging.New(w, logging.Options{Level: lc.Level, Format: lc.Format, Burst: lc.Burst})
	if err != nil {
		return err
	}
	a.log, a.logs.limiter = log, lim
	return nil
}

// opsParts are the metrics and the alert monitor, built before the engine
// so they can observe it.
type opsParts struct {
	metrics *metrics.Metrics
	monitor *alert.Monitor
	// sessions counts open SSH sessions when serving.
	sessions func() int
	// alertErr says which alert channels are off for a missing secret.
	alertErr error
}

// observers builds the metrics and the alert monitor and returns the
// engine observers: the log, the metrics and the alerts.
func (a *app) observers() []shipsync.Observer {
	a.ops.metrics = metrics.New(metricsSource{a}, version())
	// A channel whose secret is missing is off; the rest run, and the log
	// says which channel is off and why when the worker starts.
	a.ops.monitor, a.ops.alertErr = a.newMonitor()
	return []shipsync.Observer{logging.Events(a.log), a.ops.metrics.Observe, a.ops.monitor.Observe}
}

// newMonitor builds the alert monitor with the configured channels. It
// returns a working monitor even when a channel could not be built.
func (a *app) newMonitor() (*alert.Monitor, error) {
	ac := a.cfg.Alerts
	var chans []alert.Channel
	var errs []error
	if ac.WebhookURL != "" {
		secret, err := a.secret("alerts.webhook_secret_env", ac.WebhookSecretEnv)
		if err != nil {
			errs = append(errs, fmt.Errorf("alert webhook off: %w", err))
		} else {
			chans = append(chans, &alert.Webhook{URL: ac.WebhookURL, Secret: []byte(secret)})
		}
	}
	if ac.SlackURLEnv != "" {
		u, err := a.secret("alerts.slack_url_env", ac.SlackURLEnv)
		if err != nil {
			errs = append(errs, fmt.Errorf("slack alerts off: %w", err))
		} else {
			chans = append(chans, &alert.Slack{URL: u})
		}
	}
	if e := ac.Email; e.Host != "" {
		pw, err := a.secret("alerts.email.password_env", e.PasswordEnv)
		if err != nil {
			errs = append(errs, fmt.Errorf("email alerts off: %w", err))
		} else {
			chans = append(chans, &alert.Email{Addr: net.JoinHostPort(e.Host, fmt.Sprint(e.Port)), From: e.From, To: e.To, Username: e.Username, Password: pw})
		}
	}
	hour := -1
	if ac.SummaryHour != nil {
		hour = *ac.SummaryHour
	}
	zone, _ := time.LoadLocation(ac.SummaryZone) // checked by the config
	return alert.New(a.st, metricsSource{a}, alert.Config{
		Shop: a.cfg.Shop.Name, AtRisk: ac.AtRisk.Duration, CircuitOpenFor: ac.CircuitOpen.Duration, DegradedFor: ac.Degraded.Duration,
		AuthExpiringWithin: ac.AuthExpiring.Duration, DiskFreeMB: ac.DiskFreeMB, Every: ac.Every.Duration,
		Channels: chans, SummaryHour: hour, SummaryZone: zone, Now: a.now, Log: a.log,
	}), errors.Join(errs...)
}

// onToken tells the alerts when the seller's authorization expires.
func (a *app) onToken(t tiktok.TokenData) {
	if a.ops.monitor != nil && t.RefreshTokenExpireIn > 0 {
		a.ops.monitor.SetAuthorization(time.Unix(t.RefreshTokenExpireIn, 0))
	}
}

// logStart writes the start line: which shipdeck, which config, which
// data directory; logStop writes the matching stop line.
func (a *app) logStart(mode string) {
	a.log.Info("shipdeck started", "mode", mode, "version", version(), "go", runtime.Version(), "schema", store.SchemaVersion(),
		"config", a.cfg.path, "data", a.dataDir, "shop", a.cfg.Shop.Name, "demo", a.demo)
}

func (a *app) logStop(mode string, err error) {
	if err != nil {
		a.log.Error("shipdeck stopped", "mode", mode, "version", version(), "err", err)
		return
	}
	a.log.Info("shipdeck stopped", "mode", mode, "version", version())
}

// startOps starts the metrics listener (when [metrics] listen is set) and
// the alert monitor; Wait on the result after ctx ends.
func (a *app) startOps(ctx context.Context) *gosync.WaitGroup {
	var wg gosync.WaitGroup
	if a.ops.alertErr != nil {
		a.log.Error("alert channel off", "err", a.ops.alertErr)
	}
	if l := a.cfg.Metrics.Listen; l != "" && a.ops.metrics != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := a.ops.metrics.Serve(ctx, l, func(addr net.Addr) { a.log.Info("metrics listener", "addr", addr.String()) })
			if err != nil {
				a.log.Error("metrics listener stopped", "err", err)
			}
		}()
	}
	if a.ops.monitor != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a.ops.monitor.Run(ctx)
		}()
	}
	return &wg
}

// alertPass runs one alert pass and delivers its notices: `sync --once`
// from cron alerts too (the rules that need a condition to last, circuit
// and degraded, only fire in the resident worker).
func (a *app) alertPass(ctx context.Context) {
	if a.ops.monitor == nil {
		return
	}
	if a.ops.alertErr != nil {
		a.log.Error("alert channel off", "err", a.ops.alertErr)
	}
	if _, _, err := a.ops.monitor.Evaluate(ctx); err != nil {
		a.log.Warn("alert pass failed", "err", err)
		return
	}
	if _, err := a.ops.monitor.Deliver(ctx); err != nil {
		a.log.Warn("alert delivery failed", "err", err)
	}
}

// metricsSource reads what metrics and alerts need from the app.
type metricsSource struct{ a *app }

// Counts reads the store's counters.
func (s metricsSource) Counts(ctx context.Context) (store.Counts, error) { return s.a.st.Counts(ctx) }

// Quota reads today's ledger.
func (s metricsSource) Quota(ctx context.Context) (store.QuotaStatus, error) {
	return s.a.planner.Status(ctx, s.a.now())
}

// Snapshot is the engine's latest snapshot.
func (s metricsSource) Snapshot() store.Snapshot {
	if s.a.eng == nil {
		return store.Snapshot{}
	}
	return s.a.eng.Snapshot()
}

// Alerts are the firing alerts.
func (s metricsSource) Alerts(ctx context.Context) ([]store.Alert, error) { return s.a.st.Alerts(ctx) }

// Sessions counts open SSH sessions.
func (s metricsSource) Sessions() int {
	if s.a.ops.sessions == nil {
		return 0
	}
	return s.a.ops.sessions()
}

// version says which shipdeck this is, from the build info: the module
// version, the VCS commit when built from a checkout, and Go's version.
func version() string {
	v, commit := "(devel)", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				commit = s.Value[:12]
			}
		}
	}
	if commit != "" {
		v += " " + commit
	}
	return v
}
