package account

import (
	"errors"
	"testing"
)

func TestCheckTrackingCatchesWhatTikTokWouldRefuse(t *testing.T) {
	cases := []struct {
		number, provider string
		code             int // 0: accepted
	}{
		{"1Z999AA10123456784", "UPS", 0},
		{"1Z999AA10123456784", "ups_walleted", 0},
		{"9400111899223197428490", "USPS", 0},
		{"9400111899223197428490", "stamps_com", 0},
		{"EA123456789US", "USPS", 0},
		{"794644790132", "FedEx", 0},
		{"TBA123456789012", "Amazon Shipping", 0}, // the provider table's name for it
		{"1Z999AA10123456784", "Amazon Shipping", 21004015},
		{"ZX81TRACK0001", "Veho", 0},                // no known format: TikTok's general rules only
		{"1Z999AA10123456784", "USPS", 21004015},    // a UPS number sent as USPS
		{"9400111899223197428490", "UPS", 21004015}, // a USPS number sent as UPS
		{"12345", "Veho", 21011022},                 // too short
		{"1Z999-AA1012345678", "UPS", 21004012},     // special character
		{"", "UPS", 21011022},
		{"ABCDEFGHIJ", "FedEx", 21004015}, // no FedEx shape
	}
	for _, c := range cases {
		err := CheckTracking(c.number, c.provider)
		var te *TrackingError
		switch {
		case c.code == 0 && err != nil:
			t.Errorf("%q as %s refused: %v", c.number, c.provider, err)
		case c.code != 0 && !errors.As(err, &te):
			t.Errorf("%q as %s accepted, want refusal %d", c.number, c.provider, c.code)
		case c.code != 0 && te.TikTokCode != c.code:
			t.Errorf("%q as %s: code %d, want %d (%v)", c.number, c.provider, te.TikTokCode, c.code, err)
		}
	}
}
