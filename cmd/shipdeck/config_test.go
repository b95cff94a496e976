package main

import (
	"errors"
	"strings"
	"testing"
	"time"
)

const goodConfig = `[shop]
name = "Nebula Books"
app_key = "abc"
app_secret_env = "SHIPDECK_APP_SECRET"
access_token_env = "SHIPDECK_ACCESS_TOKEN"

[quota]
daily_limit = 500
reset_zone = "Asia/Shanghai"
slow_windows = ["18:00-21:00 Asia/Shanghai"]

[[carrier]]
name = "swift"
kind = "rest"
endpoint = "https://3pl.example.com"
token_env = "SWIFT_TOKEN"

[[carrier]]
name = "drop"
kind = "csv"
dir = "drop"

[[route]]
when = { country = "US" }
carrier = "swift"
fallback = ["drop"]
`

func TestConfigErrorsNameFileLineAndKey(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(string) string
		wantLine int
		wantText string
	}{
		{"unknown zone", func(s string) string { return strings.Replace(s, `"Asia/Shanghai"`+"\n", `"Mars/Olympus"`+"\n", 1) }, 9, "quota.reset_zone"},
		{"wrong type", func(s string) string { return strings.Replace(s, "daily_limit = 500", `daily_limit = "lots"`, 1) }, 8, "daily_limit"},
		{"unknown key", func(s string) string { return strings.Replace(s, "daily_limit = 500", "daily_limt = 500", 1) }, 8, "unknown key"},
		{"secret in the file", func(s string) string {
			return strings.Replace(s, `app_secret_env = "SHIPDECK_APP_SECRET"`, `app_secret_env = "s3cr3t value!"`, 1)
		}, 4, "environment variable"},
		{"bad carrier kind", func(s string) string { return strings.Replace(s, `kind = "csv"`, `kind = "fax"`, 1) }, 20, `carrier[1].kind`},
		{"route to a missing carrier", func(s string) string { return strings.Replace(s, `fallback = ["drop"]`, `fallback = ["nope"]`, 1) }, 26, `route[0].fallback: no [[carrier]] named "nope"`},
		{"bad slow window", func(s string) string { return strings.Replace(s, "18:00-21:00", "18:00 to 21:00", 1) }, 10, "slow_windows"},
		{"misspelled route condition", func(s string) string { return strings.Replace(s, "{ country", "{ contry", 1) }, 24, "route.when.contry"},
		{"syntax error", func(s string) string { return strings.Replace(s, "[quota]", "[quota", 1) }, 8, "table name"},
		{"unknown key binding", func(s string) string { return s + "\n[keys]\nteleport = [\"t\"]\n" }, 29, "teleport"},
		{"ssh listen is not an address", func(s string) string { return s + "\n[ssh]\nlisten = \"not an address\"\n" }, 29, "ssh.listen"},
		{"ssh listen without a port", func(s string) string { return s + "\n[ssh]\nlisten = \"127.0.0.1\"\n" }, 29, "ssh.listen"},
		{"webhook listen is not an address", func(s string) string { return s + "\n[webhook]\nlisten = \"localhost:http-ish\"\n" }, 29, "webhook.listen"},
		{"negative max_sessions", func(s string) string { return s + "\n[ssh]\nmax_sessions = -1\n" }, 29, "ssh.max_sessions"},
		{"negative idle timeout", func(s string) string { return s + "\n[ssh]\nidle_timeout = \"-5m\"\n" }, 29, "ssh.idle_timeout"},
		{"operators file outside the data directory", func(s string) string { return s + "\n[ssh]\noperators = \"../../etc/ops.toml\"\n" }, 29, "ssh.operators"},
		{"carriers differing only in case", func(s string) string { return strings.Replace(s, `name = "drop"`, `name = "SWIFT"`, 1) }, 19, `carrier "SWIFT" is defined twice`},
		{"csv dir escaping the data directory", func(s string) string { return strings.Replace(s, `dir = "drop"`, `dir = "../../etc"`, 1) }, 21, "carrier[1].dir"},
		{"carrier name with an escape sequence", func(s string) string {
			return strings.Replace(s, `name = "drop"`, `name = "drop\u001b]52;c;aGk=\u0007"`, 1)
		}, 19, "carrier[1].name"},
		{"reserve too small", func(s string) string { return s + "\n[store]\nmin_free = \"8MB\"\n" }, 29, "store.min_free: must be at least 16 MB"},
		{"reserve not a size", func(s string) string { return s + "\n[store]\nmin_free = \"lots\"\n" }, 29, "not a size"},
		{"no webhook connections", func(s string) string { return s + "\n[webhook]\nmax_connections = -1\n" }, 29, "webhook.max_connections"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig("shop.toml", tt.edit(goodConfig))
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("got %v, want a *ConfigError", err)
			}
			if ce.File != "shop.toml" || ce.Line != tt.wantLine {
				t.Errorf("error %q: at %s:%d, want line %d", err, ce.File, ce.Line, tt.wantLine)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error %q does not mention %q", err, tt.wantText)
			}
			if strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("error %q repeats the secret", err)
			}
		})
	}
}

func TestGoodConfigGetsDefaults(t *testing.T) {
	c, err := ParseConfig("shop.toml", goodConfig)
	if err != nil {
		t.Fatal(err)
	}
	if c.Quota.PerSecond != 50 || c.Quota.ReservePercent != 20 || c.Poll.Overlap.Duration == 0 || c.SSH.Listen != "127.0.0.1:2222" {
		t.Errorf("defaults not applied: %+v %+v %+v", c.Quota, c.Poll, c.SSH)
	}
	if c.Store.MinFree.Bytes != 64<<20 || c.Webhook.MaxConnections != 256 || c.Webhook.ReadTimeout.Duration != 10*time.Second ||
		c.Webhook.IdleTimeout.Duration != 30*time.Second {
		t.Errorf("store and webhook defaults not applied: %+v %+v", c.Store, c.Webhook)
	}
	if c.Carriers[0].MaxInFlight != 8 || c.Carriers[0].Timeout.Duration == 0 {
		t.Errorf("carrier defaults not applied: %+v", c.Carriers[0])
	}
}

func TestByteSizes(t *testing.T) {
	for in, want := range map[string]uint64{"64MB": 64 << 20, "64MiB": 64 << 20, "1GB": 1 << 30, "512 KB": 512 << 10, "2gib": 2 << 30} {
		var b byteSize
		if err := b.UnmarshalText([]byte(in)); err != nil || b.Bytes != want {
			t.Errorf("%q: got %d, %v; want %d", in, b.Bytes, err, want)
		}
	}
	for _, in := range []string{"", "64", "MB", "-1MB", "1.5GB", "64TB", "99999999999999GB"} {
		var b byteSize
		if err := b.UnmarshalText([]byte(in)); err == nil {
			t.Errorf("%q: accepted as %d bytes", in, b.Bytes)
		}
	}
}
