package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/shipdeck/shipdeck/policy"
	"github.com/shipdeck/shipdeck/sanitize"
	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/sync/carrier"
	"github.com/shipdeck/shipdeck/tui/keys"
	"github.com/shipdeck/shipdeck/zone"
)

// duration is a TOML string such as "90s" or "15m".
type duration struct{ time.Duration }

// UnmarshalText reads a Go duration string such as "90s".
func (d *duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("not a duration (use 90s, 15m, 2h): %q", b)
	}
	if v < 0 {
		return fmt.Errorf("duration must not be negative: %q", b)
	}
	d.Duration = v
	return nil
}

// byteSize is a TOML string such as "64MB" (binary units: 1 MB = 1024 KB).
type byteSize struct{ Bytes uint64 }

// UnmarshalText reads "512KB", "64MB", "1GB" (or their KiB/MiB/GiB
// spellings).
func (b *byteSize) UnmarshalText(t []byte) error {
	s := strings.TrimSpace(string(t))
	num := strings.TrimRightFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	unit := strings.ToUpper(strings.TrimSpace(s[len(num):]))
	shift, ok := map[string]uint{"KB": 10, "KIB": 10, "MB": 20, "MIB": 20, "GB": 30, "GIB": 30}[unit]
	n, err := strconv.ParseUint(num, 10, 64)
	if !ok || err != nil || n > 1<<(63-shift) {
		return fmt.Errorf("not a size (use 512KB, 64MB, 2GB): %q", t)
	}
	b.Bytes = n << shift
	return nil
}

// Config is shipdeck's configuration file. Secrets are never in it: it
// names the environment variables that hold them.
type Config struct {
	Shop     ShopConfig      `toml:"shop"`
	Quota    QuotaConfig     `toml:"quota"`
	Poll     PollConfig      `toml:"poll"`
	Webhook  WebhookConfig   `toml:"webhook"`
	Policy   PolicyConfig    `toml:"policy"`
	Store    StoreConfig     `toml:"store"`
	Carriers []CarrierConfig `toml:"carrier"`
	Routes   []RouteConfig   `toml:"route"`
	SSH      SSHConfig       `toml:"ssh"`
	Console  ConsoleConfig   `toml:"console"`
	Log      LogConfig       `toml:"log"`
	Metrics  MetricsConfig   `toml:"metrics"`
	Alerts   AlertsConfig    `toml:"alerts"`
	Health   HealthConfig    `toml:"health"`
	Costs    CostsConfig     `toml:"costs"`
	// Keys remaps console key bindings: binding name → keys.
	Keys map[string][]string `toml:"keys"`

	path string
	src  string
}

// ShopConfig is the [shop] table.
type ShopConfig struct {
	Name            string `toml:"name"`
	BaseURL         string `toml:"base_url"`
	AuthURL         string `toml:"auth_url"`
	AppKey          string `toml:"app_key"`
	AppSecretEnv    string `toml:"app_secret_env"`
	AccessTokenEnv  string `toml:"access_token_env"`
	RefreshTokenEnv string `toml:"refresh_token_env"`
	ShopCipher      string `toml:"shop_cipher"`
	// ShopID picks the shop when several authorized the app.
	ShopID string `toml:"shop_id"`
}

// QuotaConfig is the [quota] table.
type QuotaConfig struct {
	DailyLimit     int      `toml:"daily_limit"`
	PerSecond      int      `toml:"per_second"`
	ResetZone      string   `toml:"reset_zone"`
	ResetHour      int      `toml:"reset_hour"`
	ReservePercent int      `toml:"reserve_percent"`
	SlowWindows    []string `toml:"slow_windows"`
}

// PollConfig is the [poll] table.
type PollConfig struct {
	MinInterval duration `toml:"min_interval"`
	MaxInterval duration `toml:"max_interval"`
	Overlap     duration `toml:"overlap"`
}

// PolicyConfig is the [policy] table: TikTok's order rules that are the
// seller's to tune.
type PolicyConfig struct {
	// RemorseWindow is how long an order that skipped ON_HOLD
	// (is_on_hold_order false) waits after payment before it is pushed.
	RemorseWindow duration `toml:"remorse_window"`
}

// Remorse window bounds: TikTok gives buyers of the old flow an hour to
// cancel after paying (changelog "For US and UK markets: introducing On
// Hold order status"), and the two-business-day dispatch SLA leaves no room
// for a day's wait.
const (
	minRemorseWindow = time.Hour
	maxRemorseWindow = 24 * time.Hour
)

// WebhookConfig is the [webhook] table; an empty listen turns it off.
type WebhookConfig struct {
	Listen string `toml:"listen"`
	// MaxConnections caps open connections to the listener; more are
	// closed at once, so a flood cannot take the file descriptors the
	// store and the SSH server need.
	MaxConnections int `toml:"max_connections"`
	// ReadTimeout bounds reading one request (headers and body);
	// IdleTimeout bounds a kept-alive connection between requests.
	ReadTimeout duration `toml:"read_timeout"`
	IdleTimeout duration `toml:"idle_timeout"`
}

// StoreConfig is the [store] table.
type StoreConfig struct {
	// MinFree is the free space kept on the data directory's filesystem:
	// below it the worker degrades and nothing new is written.
	MinFree byteSize `toml:"min_free"`
}

// CarrierConfig is one [[carrier]].
type CarrierConfig struct {
	Name             string   `toml:"name"`
	Kind             string   `toml:"kind"`
	Endpoint         string   `toml:"endpoint"`
	TokenEnv         string   `toml:"token_env"`
	KeyEnv           string   `toml:"key_env"`
	SecretEnv        string   `toml:"secret_env"`
	Dir              string   `toml:"dir"`
	Timeout          duration `toml:"timeout"`
	MaxInFlight      int      `toml:"max_in_flight"`
	TransitDays      int      `toml:"transit_days"`
	TikTokProviderID string   `toml:"tiktok_provider_id"`
	// Zone is the IANA zone of the times a rest 3PL sends without an offset.
	Zone string `toml:"zone"`
	// Providers maps the 3PL's carrier codes to TikTok shipping providers
	// (a name, or a shipping_provider_id), on top of the built-in table.
	Providers map[string]string `toml:"providers"`
	// Rates prices this 3PL's orders when it reports no cost itself.
	Rates RateCardConfig `toml:"rates"`
}

// RouteConfig is one [[route]]: first match wins.
type RouteConfig struct {
	Name     string    `toml:"name"`
	When     WhenTable `toml:"when"`
	Carrier  string    `toml:"carrier"`
	Fallback []string  `toml:"fallback"`
}

// WhenTable holds a route's conditions; empty fields match everything.
type WhenTable struct {
	Country       string   `toml:"country"`
	Region        []string `toml:"region"`
	PostalPrefix  []string `toml:"postal_prefix"`
	MinWeightG    int      `toml:"min_weight_g"`
	MaxWeightG    int      `toml:"max_weight_g"`
	SKU           []string `toml:"sku"`
	MinValueCents int64    `toml:"min_value_cents"`
	MaxValueCents int64    `toml:"max_value_cents"`
}

// SSHConfig is the [ssh] table for `shipdeck serve`.
type SSHConfig struct {
	Listen            string   `toml:"listen"`
	Operators         string   `toml:"operators"`
	HandshakeTimeout  duration `toml:"handshake_timeout"`
	IdleTimeout       duration `toml:"idle_timeout"`
	MaxSessionTime    duration `toml:"max_session_time"`
	MaxSessions       int      `toml:"max_sessions"`
	MaxSessionsPerKey int      `toml:"max_sessions_per_key"`
	ConnectionsPerMin int      `toml:"connections_per_minute"`
}

// ConsoleConfig is the [console] table.
type ConsoleConfig struct {
	HighContrast bool `toml:"high_contrast"`
	Light        bool `toml:"light"`
	// Timezone is the display time zone of the console, the CLI tables
	// and CSV exports: an IANA name, "UTC" or "local" (the default).
	Timezone string `toml:"timezone"`
	// Mouse turns on mouse input in the console: click to focus and
	// select, wheel to scroll (off by default: it takes over the
	// terminal's own text selection).
	Mouse bool `toml:"mouse"`
	// ExportDir is where the console's :export writes, locally and over
	// SSH: relative to the data directory (default "exports"), or
	// absolute. Never serve's working directory.
	ExportDir string `toml:"export_dir"`
}

// ConfigError names the file, the line and the key of a bad setting.
type ConfigError struct {
	File string
	Line int
	Key  string
	Msg  string
}

// Error names the file, line and key, then what is wrong.
func (e *ConfigError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Key != "" {
		return fmt.Sprintf("%s: %s: %s", loc, e.Key, e.Msg)
	}
	return fmt.Sprintf("%s: %s", loc, e.Msg)
}

// LoadConfig reads, decodes and validates a config file.
func LoadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return ParseConfig(path, string(b))
}

// ParseConfig decodes and validates config text; path names it in errors.
func ParseConfig(path, src string) (*Config, error) {
	c := &Config{path: path, src: src}
	md, err := toml.Decode(src, c)
	if err != nil {
		var pe toml.ParseError
		var ppe *toml.ParseError
		if errors.As(err, &ppe) {
			pe = *ppe
		}
		if ppe != nil || errors.As(err, &pe) {
			return nil, &ConfigError{File: path, Line: pe.Position.Line, Key: pe.LastKey, Msg: firstLine(pe.Message)}
		}
		if m := typeErrLine.FindStringSubmatch(err.Error()); m != nil {
			line, _ := strconv.Atoi(m[1])
			return nil, &ConfigError{File: path, Line: line, Key: m[2], Msg: firstLine(m[3])}
		}
		return nil, &ConfigError{File: path, Msg: err.Error()}
	}
	if und := md.Undecoded(); len(und) > 0 {
		k := und[0].String()
		return nil, c.errAt(k, "unknown key (check the spelling against the README)")
	}
	if md.IsDefined("policy", "remorse_window") && c.Policy.RemorseWindow.Duration == 0 {
		return nil, c.errAt("policy.remorse_window", "must be 1h..24h (leave it out for the default, 1h); got 0s")
	}
	c.defaults()
	c.opsDefaults()
	if err := c.validate(); err != nil {
		return nil, err
	}
	if err := c.validateOps(); err != nil {
		return nil, err
	}
	return c, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

func (c *Config) defaults() {
	q := &c.Quota
	if q.DailyLimit == 0 {
		q.DailyLimit = 500
	}
	if q.PerSecond == 0 {
		q.PerSecond = 50
	}
	if q.ResetZone == "" {
		q.ResetZone = "UTC"
	}
	if q.ReservePercent == 0 {
		q.ReservePercent = 20
	}
	if c.Poll.MinInterval.Duration == 0 {
		c.Poll.MinInterval.Duration = time.Minute
	}
	if c.Poll.MaxInterval.Duration == 0 {
		c.Poll.MaxInterval.Duration = time.Hour
	}
	if c.Poll.Overlap.Duration == 0 {
		c.Poll.Overlap.Duration = 2 * time.Minute
	}
	if c.Policy.RemorseWindow.Duration == 0 {
		c.Policy.RemorseWindow.Duration = policy.DefaultRemorseWindow
	}
	if c.Shop.AuthURL == "" {
		c.Shop.AuthURL = "https://auth.tiktok-shops.com"
	}
	if c.Shop.BaseURL == "" {
		c.Shop.BaseURL = "https://open-api.tiktokglobalshop.com"
	}
	if c.SSH.Listen == "" {
		c.SSH.Listen = "127.0.0.1:2222"
	}
	if c.Store.MinFree.Bytes == 0 {
		c.Store.MinFree.Bytes = store.DefaultMinFree
	}
	if c.Webhook.MaxConnections == 0 {
		c.Webhook.MaxConnections = defaultWebhookConns
	}
	if c.Webhook.ReadTimeout.Duration == 0 {
		c.Webhook.ReadTimeout.Duration = 10 * time.Second
	}
	if c.Webhook.IdleTimeout.Duration == 0 {
		c.Webhook.IdleTimeout.Duration = 30 * time.Second
	}
	if c.SSH.Operators == "" {
		c.SSH.Operators = "operators.toml"
	}
	if c.Console.ExportDir == "" {
		c.Console.ExportDir = "exports"
	}
	for i := range c.Carriers {
		cc := &c.Carriers[i]
		if cc.Timeout.Duration == 0 {
			cc.Timeout.Duration = 10 * time.Second
		}
		if cc.MaxInFlight == 0 {
			cc.MaxInFlight = 8
		}
	}
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// typeErrLine reads the line and key out of the TOML decoder's type errors
// ("toml: line 8 (last key "quota.daily_limit"): incompatible types: ..."),
// which it does not return as a ParseError.
var typeErrLine = regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]*)"\): (.*)$`)

// validate checks every key it can without the network.
func (c *Config) validate() error {
	if _, err := time.LoadLocation(c.Quota.ResetZone); err != nil {
		return c.errAt("quota.reset_zone", fmt.Sprintf("unknown time zone %q (use an IANA name such as Asia/Shanghai)", c.Quota.ResetZone))
	}
	switch {
	case c.Quota.DailyLimit < 1:
		return c.errAt("quota.daily_limit", "must be at least 1")
	case c.Quota.PerSecond < 1:
		return c.errAt("quota.per_second", "must be at least 1")
	case c.Quota.ResetHour < 0 || c.Quota.ResetHour > 23:
		return c.errAt("quota.reset_hour", "must be 0..23")
	case c.Quota.ReservePercent < 0 || c.Quota.ReservePercent > 90:
		return c.errAt("quota.reserve_percent", "must be 0..90")
	case c.Poll.MinInterval.Duration > c.Poll.MaxInterval.Duration:
		return c.errAt("poll.min_interval", "must not exceed poll.max_interval")
	case c.Policy.RemorseWindow.Duration < minRemorseWindow || c.Policy.RemorseWindow.Duration > maxRemorseWindow:
		return c.errAt("policy.remorse_window", fmt.Sprintf(
			"must be 1h..24h (TikTok lets a buyer of an order that skipped ON_HOLD cancel for an hour after paying); got %s",
			c.Policy.RemorseWindow.Duration))
	case c.Store.MinFree.Bytes < store.MinMinFree:
		return c.errAt("store.min_free", "must be at least "+store.FormatMB(store.MinMinFree)+" (Badger's own files need that much room)")
	case c.Webhook.MaxConnections < 1:
		return c.errAt("webhook.max_connections", "must be at least 1")
	}
	if err := c.validateListeners(); err != nil {
		return err
	}
	if _, err := zone.Load(c.Console.Timezone); err != nil {
		return c.errAt("console.timezone", err.Error())
	}
	for _, w := range c.Quota.SlowWindows {
		if err := checkWindow(w); err != nil {
			return c.errAt("quota.slow_windows", err.Error())
		}
	}
	for _, k := range []struct{ key, val string }{
		{"shop.app_secret_env", c.Shop.AppSecretEnv}, {"shop.access_token_env", c.Shop.AccessTokenEnv},
		{"shop.refresh_token_env", c.Shop.RefreshTokenEnv},
	} {
		if k.val != "" && !envName.MatchString(k.val) {
			return c.errAt(k.key, "must name an environment variable (the secret itself never goes in the file)")
		}
	}
	if c.Shop.AppKey != "" && (c.Shop.AppSecretEnv == "" || c.Shop.AccessTokenEnv == "") {
		return c.errAt("shop.app_key", "needs app_secret_env and access_token_env naming the variables that hold the secrets")
	}
	if len(c.Carriers) == 0 {
		return &ConfigError{File: c.path, Key: "carrier", Msg: "at least one [[carrier]] is required"}
	}
	names := map[string]bool{}
	folded := map[string]string{} // lower case → the name as written
	for i, cc := range c.Carriers {
		key := fmt.Sprintf("carrier[%d]", i)
		if cc.Name == "" {
			return c.errAtN("carrier", i, "name", key+".name is required")
		}
		if sanitize.Line(cc.Name) != cc.Name || strings.TrimSpace(cc.Name) != cc.Name {
			return c.errAtN("carrier", i, "name", fmt.Sprintf("%q has control or invisible characters, or surrounding spaces", cc.Name))
		}
		// Operators name carriers on the command line and in the console,
		// where "a" and "A" would be one carrier to them.
		if first, ok := folded[strings.ToLower(cc.Name)]; ok {
			return c.errAtN("carrier", i, "name", fmt.Sprintf("carrier %q is defined twice (as %q; names are compared ignoring case)", cc.Name, first))
		}
		names[cc.Name] = true
		folded[strings.ToLower(cc.Name)] = cc.Name
		switch cc.Kind {
		case carrier.KindREST:
			if cc.Endpoint == "" || cc.TokenEnv == "" {
				return c.errAtN("carrier", i, "endpoint", "a rest carrier needs endpoint and token_env")
			}
		case carrier.KindShipStation:
			if cc.KeyEnv == "" || cc.SecretEnv == "" {
				return c.errAtN("carrier", i, "key_env", "a shipstation carrier needs key_env and secret_env")
			}
		case carrier.KindCSV:
			if cc.Dir == "" {
				return c.errAtN("carrier", i, "dir", "a csv carrier needs dir")
			}
			if err := inDataDir(cc.Dir); err != nil {
				return c.errAtN("carrier", i, "dir", err.Error())
			}
		default:
			return c.errAtN("carrier", i, "kind", fmt.Sprintf("unknown kind %q (rest, shipstation or csv)", cc.Kind))
		}
		for _, v := range []string{cc.TokenEnv, cc.KeyEnv, cc.SecretEnv} {
			if v != "" && !envName.MatchString(v) {
				return c.errAtN("carrier", i, "token_env", "must name an environment variable")
			}
		}
		if cc.MaxInFlight < 1 || cc.MaxInFlight > 256 {
			return c.errAtN("carrier", i, "max_in_flight", "must be 1..256")
		}
		if cc.Zone != "" {
			if _, err := time.LoadLocation(cc.Zone); err != nil || cc.Kind != carrier.KindREST {
				return c.errAtN("carrier", i, "zone", fmt.Sprintf("zone %q: a rest carrier's IANA zone, such as America/Chicago (ShipStation's is always Pacific)", cc.Zone))
			}
		}
		for code, p := range cc.Providers {
			if strings.TrimSpace(code) == "" || strings.TrimSpace(p) == "" {
				return c.errAtN("carrier", i, "providers", "each entry maps a carrier code to a TikTok provider name or id")
			}
		}
		if cc.TransitDays < 0 {
			return c.errAtN("carrier", i, "transit_days", "must not be negative")
		}
	}
	for i, r := range c.Routes {
		if r.Carrier == "" {
			return c.errAtN("route", i, "carrier", "carrier is required")
		}
		if !names[r.Carrier] {
			return c.errAtN("route", i, "carrier", fmt.Sprintf("no [[carrier]] named %q", r.Carrier))
		}
		for _, n := range r.Fallback {
			if !names[n] {
				return c.errAtN("route", i, "fallback", fmt.Sprintf("no [[carrier]] named %q", n))
			}
		}
	}
	if err := c.validateAccount(); err != nil {
		return err
	}
	if len(c.Keys) > 0 {
		if err := keys.Default().Remap(c.Keys); err != nil {
			leaf := ""
			var re *keys.RemapError
			if errors.As(err, &re) && len(re.Unknown) > 0 {
				leaf = re.Unknown[0]
			} else if errors.As(err, &re) && len(re.Empty) > 0 {
				leaf = re.Empty[0]
			}
			return &ConfigError{File: c.path, Line: c.lineOf("keys", -1, leaf), Key: "keys", Msg: err.Error()}
		}
	}
	return nil
}

// validateListeners checks the listen addresses and the SSH limits, which
// sshd would otherwise read as "off" when negative.
func (c *Config) validateListeners() error {
	for _, l := range []struct{ key, addr string }{{"ssh.listen", c.SSH.Listen}, {"webhook.listen", c.Webhook.Listen}} {
		if l.addr == "" && l.key == "webhook.listen" {
			continue // the webhook receiver is off
		}
		if err := checkListen(l.addr); err != nil {
			return c.errAt(l.key, err.Error())
		}
	}
	s := c.SSH
	for _, n := range []struct {
		key string
		v   int
	}{{"ssh.max_sessions", s.MaxSessions}, {"ssh.max_sessions_per_key", s.MaxSessionsPerKey}, {"ssh.connections_per_minute", s.ConnectionsPerMin}} {
		if n.v < 0 {
			return c.errAt(n.key, fmt.Sprintf("must be at least 1 (or leave it out for the default), not %d", n.v))
		}
	}
	if err := inDataDir(s.Operators); err != nil {
		return c.errAt("ssh.operators", err.Error())
	}
	if err := inDataDir(c.Console.ExportDir); err != nil {
		return c.errAt("console.export_dir", err.Error())
	}
	return nil
}

// checkListen validates a host:port to listen on; the host may be empty
// (every interface) and the port 0 (any free one).
func checkListen(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not an address to listen on (use host:port, e.g. 127.0.0.1:2222): %v", addr, err)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%q: port %q must be a number 0..65535", addr, port)
	}
	if strings.ContainsAny(host, " /\\") || sanitize.Line(host) != host {
		return fmt.Errorf("%q: host %q is not a host name or IP address", addr, host)
	}
	return nil
}

// inDataDir checks that a path the config gives relative to the data
// directory stays inside it (an absolute path is the operator's explicit
// choice and is kept).
func inDataDir(p string) error {
	if filepath.IsAbs(p) || filepath.IsLocal(p) {
		return nil
	}
	return fmt.Errorf("%q leaves the data directory (it is relative to it; give an absolute path to mean a place outside)", p)
}

// checkWindow validates "18:00-21:00 Asia/Shanghai".
func checkWindow(w string) error {
	span, zone, _ := strings.Cut(strings.TrimSpace(w), " ")
	from, to, ok := strings.Cut(span, "-")
	if !ok {
		return fmt.Errorf("slow window %q: use HH:MM-HH:MM Zone", w)
	}
	for _, t := range []string{from, to} {
		if _, err := time.Parse("15:04", t); err != nil {
			return fmt.Errorf("slow window %q: %q is not HH:MM", w, t)
		}
	}
	if zone != "" {
		if _, err := time.LoadLocation(zone); err != nil {
			return fmt.Errorf("slow window %q: unknown time zone %q", w, zone)
		}
	}
	return nil
}

// errAt builds an error for a dotted key, finding its line in the source.
func (c *Config) errAt(key, msg string) error {
	table, leaf := "", key
	if i := strings.LastIndex(key, "."); i >= 0 {
		table, leaf = key[:i], key[i+1:]
	}
	return &ConfigError{File: c.path, Line: c.lineOf(table, -1, leaf), Key: key, Msg: msg}
}

// errAtN builds an error for a key of the n-th [[table]].
func (c *Config) errAtN(table string, n int, leaf, msg string) error {
	return &ConfigError{File: c.path, Line: c.lineOf(table, n, leaf), Key: fmt.Sprintf("%s[%d].%s", table, n, leaf), Msg: msg}
}

// lineOf finds the line of key leaf in [table] (or the n-th [[table]]),
// falling back to the table's header line, or 0.
func (c *Config) lineOf(table string, n int, leaf string) int {
	inTable := table == ""
	header, seen := 0, -1
	for i, raw := range strings.Split(c.src, "\n") {
		line := strings.TrimSpace(raw)
		if strings.HasPrefix(line, "[") {
			name := strings.Trim(line, "[] \t")
			if j := strings.Index(name, "]"); j >= 0 {
				name = name[:j]
			}
			if name == table {
				seen++
			}
			inTable = name == table && (n < 0 || seen == n)
			if inTable {
				header = i + 1
			}
			continue
		}
		if inTable {
			k, _, ok := strings.Cut(line, "=")
			if ok && strings.TrimSpace(k) == leaf {
				return i + 1
			}
		}
	}
	if header == 0 && leaf != "" {
		// A key inside an inline table ("when = { contry = ... }"): the first
		// line that assigns it.
		re := regexp.MustCompile(`(^|[{,\s])` + regexp.QuoteMeta(leaf) + `\s*=`)
		for i, raw := range strings.Split(c.src, "\n") {
			if re.MatchString(raw) {
				return i + 1
			}
		}
	}
	return header
}
