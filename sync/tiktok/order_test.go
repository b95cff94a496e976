package tiktok

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateOrder(t *testing.T) {
	tests := []struct {
		name      string
		mutate    func(*Order)
		wantField string
	}{
		{"complete", func(*Order) {}, ""},
		{"no id", func(o *Order) { o.ID = "" }, "id"},
		{"no status", func(o *Order) { o.Status = "" }, "status"},
		{"no create_time", func(o *Order) { o.CreateTime = 0 }, "create_time"},
		{"negative create_time", func(o *Order) { o.CreateTime = -1 }, "create_time"},
		{"no update_time", func(o *Order) { o.UpdateTime = 0 }, "update_time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := sampleOrder(1)
			tt.mutate(&o)
			err := ValidateOrder(o)
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("ValidateOrder = %v", err)
				}
				return
			}
			var ie *InvalidOrderError
			if !errors.As(err, &ie) || ie.Field != tt.wantField {
				t.Fatalf("ValidateOrder = %v, want field %s", err, tt.wantField)
			}
			if !strings.Contains(err.Error(), tt.wantField) {
				t.Errorf("error does not name the field: %v", err)
			}
			if o.ID != "" && (ie.OrderID != o.ID || !strings.Contains(err.Error(), o.ID)) {
				t.Errorf("error does not name order %s: %v", o.ID, err)
			}
		})
	}
}
