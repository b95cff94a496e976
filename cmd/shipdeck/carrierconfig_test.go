package main

import (
	"errors"
	"strings"
	"testing"
)

func TestCarrierZoneAndProviderTable(t *testing.T) {
	withSwift := func(lines string) string {
		return strings.Replace(goodConfig, `token_env = "SWIFT_TOKEN"`+"\n", `token_env = "SWIFT_TOKEN"`+"\n"+lines+"\n", 1)
	}
	bad := []struct {
		name     string
		config   string
		wantText string
	}{
		{"unknown zone", withSwift(`zone = "America/Atlantis"`), `carrier[0].zone: zone "America/Atlantis"`},
		{"zone on a csv carrier", strings.Replace(goodConfig, `dir = "drop"`, `dir = "drop"`+"\n"+`zone = "UTC"`, 1), "carrier[1].zone"},
		{"empty provider", withSwift(`providers = { acme_courier = "" }`), "carrier[0].providers"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig("shop.toml", tt.config)
			var ce *ConfigError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.wantText) || ce.Line == 0 {
				t.Fatalf("got %v, want a line-numbered error mentioning %q", err, tt.wantText)
			}
		})
	}
	c, err := ParseConfig("shop.toml", withSwift(`zone = "America/Chicago"`+"\n"+`providers = { acme_courier = "7000000000000000001", stamps_com = "USPS" }`))
	if err != nil {
		t.Fatal(err)
	}
	if cc := c.Carriers[0]; cc.Zone != "America/Chicago" || cc.Providers["acme_courier"] != "7000000000000000001" || cc.Providers["stamps_com"] != "USPS" {
		t.Fatalf("carrier = %+v", cc)
	}
}
