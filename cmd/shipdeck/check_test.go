package main

import (
	"strings"
	"testing"

	"github.com/shipdeck/shipdeck/sync/sim"
)

// TestCheckPrintsTheShops: `shipdeck check` lists every shop that
// authorized the app, marks the one shipdeck works for, and with several
// shops and no [shop] shop_id fails saying which ids there are.
func TestCheckPrintsTheShops(t *testing.T) {
	tests := []struct {
		name     string
		others   int
		shopID   string
		wantCode int
		want     []string
	}{
		{name: "one shop", wantCode: 0, want: []string{"1 shop(s) authorized this app",
			"*  7495540735365777507  Nebula Books  US", "shop: works for Nebula Books (7495540735365777507)"}},
		{name: "several, no shop_id", others: 2, wantCode: exitError, want: []string{"3 shop(s) authorized this app",
			"7495540735365777600  Nebula Books UK  GB", "7495540735365777601  Nebula Outlet", "set [shop] shop_id to one of them"}},
		{name: "several, shop_id", others: 2, shopID: "7495540735365777600", wantCode: 0, want: []string{
			"*  7495540735365777600  Nebula Books UK  GB", "shop: works for Nebula Books UK (7495540735365777600)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, global := simConfig(t, sim.Options{Seed: 3, OrdersPerDay: -1, OtherShops: tt.others}, func(cfg string) string {
				if tt.shopID == "" {
					return cfg
				}
				return strings.Replace(cfg, "[shop]\n", "[shop]\nshop_id = \""+tt.shopID+"\"\n", 1)
			})
			out, errOut, code := runCLI(t, append([]string{"check"}, global...)...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.wantCode, out, errOut)
			}
			for _, want := range tt.want {
				if !strings.Contains(out+errOut, want) {
					t.Errorf("output does not say %q:\n%s%s", want, out, errOut)
				}
			}
		})
	}
}
