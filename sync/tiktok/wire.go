package tiktok

import "encoding/json"

// Envelope is TikTok's response envelope. Code 0 means success; the HTTP
// status is set independently, so both are checked.
type Envelope struct {
	Code      int             `json:"code"`
	Message   string          `json:"message"`
	RequestID string          `json:"request_id"`
	Data      json.RawMessage `json:"data"`
}

// Order is an order as TikTok's 202309 order search and detail return it.
// Times are Unix seconds.
type Order struct {
	ID                   string           `json:"id"`
	Status               string           `json:"status"`
	CreateTime           int64            `json:"create_time"`
	UpdateTime           int64            `json:"update_time"`
	PaidTime             int64            `json:"paid_time,omitempty"`
	RTSSLATime           int64            `json:"rts_sla_time,omitempty"`
	TTSSLATime           int64            `json:"tts_sla_time,omitempty"`
	ShippingDueTime      int64            `json:"shipping_due_time,omitempty"`
	CollectionDueTime    int64            `json:"collection_due_time,omitempty"`
	DeliveryDueTime      int64            `json:"delivery_due_time,omitempty"`
	RecipientAddress     RecipientAddress `json:"recipient_address"`
	LineItems            []LineItem       `json:"line_items"`
	Packages             []PackageRef     `json:"packages,omitempty"`
	ShippingType         string           `json:"shipping_type,omitempty"`
	FulfillmentType      string           `json:"fulfillment_type,omitempty"`
	DeliveryOptionID     string           `json:"delivery_option_id,omitempty"`
	DeliveryOptionName   string           `json:"delivery_option_name,omitempty"`
	ShippingProviderID   string           `json:"shipping_provider_id,omitempty"`
	TrackingNumber       string           `json:"tracking_number,omitempty"`
	IsOnHoldOrder        bool             `json:"is_on_hold_order,omitempty"`
	IsBuyerRequestCancel bool             `json:"is_buyer_request_cancel,omitempty"`
	CancelReason         string           `json:"cancel_reason,omitempty"`
	BuyerMessage         string           `json:"buyer_message,omitempty"`
	Payment              *Payment         `json:"payment,omitempty"`
	// The actual times of the order's milestones and who cancelled it
	// (Get Order Detail 202309: rts_time, collection_time, delivery_time,
	// cancel_time, cancellation_initiator SELLER|BUYER|SYSTEM).
	RTSTime               int64  `json:"rts_time,omitempty"`
	CollectionTime        int64  `json:"collection_time,omitempty"`
	DeliveryTime          int64  `json:"delivery_time,omitempty"`
	CancelTime            int64  `json:"cancel_time,omitempty"`
	CancellationInitiator string `json:"cancellation_initiator,omitempty"`
}

// Payment holds an order's totals as decimal strings.
type Payment struct {
	Currency    string `json:"currency,omitempty"`
	TotalAmount string `json:"total_amount,omitempty"`
}

// RecipientAddress is the buyer's address. Name and phone are masked
// ("desensitized") on some orders.
type RecipientAddress struct {
	Name          string         `json:"name"`
	FirstName     string         `json:"first_name,omitempty"`
	LastName      string         `json:"last_name,omitempty"`
	PhoneNumber   string         `json:"phone_number,omitempty"`
	AddressLine1  string         `json:"address_line1,omitempty"`
	AddressLine2  string         `json:"address_line2,omitempty"`
	AddressLine3  string         `json:"address_line3,omitempty"`
	AddressLine4  string         `json:"address_line4,omitempty"`
	AddressDetail string         `json:"address_detail,omitempty"`
	PostalCode    string         `json:"postal_code,omitempty"`
	RegionCode    string         `json:"region_code,omitempty"`
	FullAddress   string         `json:"full_address,omitempty"`
	DistrictInfo  []DistrictInfo `json:"district_info,omitempty"`
	// PostTown is a UK address's post town.
	PostTown string `json:"post_town,omitempty"`
}

// DistrictInfo is one level of an address (country, state, city...).
type DistrictInfo struct {
	AddressLevelName string `json:"address_level_name"`
	AddressName      string `json:"address_name"`
	AddressLevel     string `json:"address_level,omitempty"`
}

// LineItem is one line of a TikTok order.
type LineItem struct {
	ID                 string `json:"id"`
	SkuID              string `json:"sku_id,omitempty"`
	SellerSku          string `json:"seller_sku"`
	ProductName        string `json:"product_name,omitempty"`
	SalePrice          string `json:"sale_price,omitempty"`
	PackageID          string `json:"package_id,omitempty"`
	PackageStatus      string `json:"package_status,omitempty"`
	TrackingNumber     string `json:"tracking_number,omitempty"`
	ShippingProviderID string `json:"shipping_provider_id,omitempty"`
	DisplayStatus      string `json:"display_status,omitempty"`
}

// PackageRef names a package of an order.
type PackageRef struct {
	ID string `json:"id"`
}

// SearchRequest is the body of POST /order/202309/orders/search.
type SearchRequest struct {
	OrderStatus  string `json:"order_status,omitempty"`
	UpdateTimeGE int64  `json:"update_time_ge,omitempty"`
	UpdateTimeLT int64  `json:"update_time_lt,omitempty"`
	CreateTimeGE int64  `json:"create_time_ge,omitempty"`
	CreateTimeLT int64  `json:"create_time_lt,omitempty"`
	ShippingType string `json:"shipping_type,omitempty"`
}

// SearchData is the data of an order search reply.
type SearchData struct {
	Orders        []Order `json:"orders"`
	NextPageToken string  `json:"next_page_token"`
	TotalCount    int     `json:"total_count"`
}

// DetailData is the data of an order detail reply.
type DetailData struct {
	Orders []Order `json:"orders"`
}

// Shop is one authorized shop.
type Shop struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Region     string `json:"region"`
	SellerType string `json:"seller_type,omitempty"`
	Cipher     string `json:"cipher"`
	Code       string `json:"code,omitempty"`
}

// ShopsData is the data of GET /authorization/202309/shops.
type ShopsData struct {
	Shops []Shop `json:"shops"`
}

// ShippingProvider is a carrier TikTok knows for a delivery option.
type ShippingProvider struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// ShippingProvidersData is the data of the shipping providers reply.
type ShippingProvidersData struct {
	ShippingProviders []ShippingProvider `json:"shipping_providers"`
}

// SelfShipment names the tracking of a seller-shipped package.
type SelfShipment struct {
	ShippingProviderID string `json:"shipping_provider_id"`
	TrackingNumber     string `json:"tracking_number"`
}

// ShipPackageRequest is the body of POST
// /fulfillment/202309/packages/{package_id}/ship.
type ShipPackageRequest struct {
	HandoverMethod string        `json:"handover_method,omitempty"`
	SelfShipment   *SelfShipment `json:"self_shipment,omitempty"`
}

// UpdateShippingInfoRequest is the body of POST
// /fulfillment/202309/orders/{order_id}/shipping_info/update.
type UpdateShippingInfoRequest struct {
	TrackingNumber     string `json:"tracking_number"`
	ShippingProviderID string `json:"shipping_provider_id"`
}

// Warning is a non-fatal remark in a create or edit reply.
type Warning struct {
	Message string `json:"message"`
}

// ShipData is the data of ship-package and update-shipping-info replies.
type ShipData struct {
	Warnings []Warning `json:"warnings,omitempty"`
}

// TokenData is the data of the token get/refresh reply. The expiries are
// absolute Unix timestamps, not durations.
type TokenData struct {
	AccessToken          string `json:"access_token"`
	AccessTokenExpireIn  int64  `json:"access_token_expire_in"`
	RefreshToken         string `json:"refresh_token"`
	RefreshTokenExpireIn int64  `json:"refresh_token_expire_in"`
}

// Notification is a webhook delivery's envelope.
type Notification struct {
	Type           int             `json:"type"`
	NotificationID string          `json:"tts_notification_id"`
	ShopID         string          `json:"shop_id"`
	Timestamp      int64           `json:"timestamp"`
	Data           json.RawMessage `json:"data"`
}

// Webhook notification types shipdeck acts on (the numeric "type" of a
// delivery). Source: TikTok's official SDK event/V202309
// UpdateShopWebhookRequestBody topics, numbered as in the .NET SDK's
// EventSamples and EcomPHP's Webhook constants.
const (
	NotifyOrderStatusChange        = 1
	NotifyAddressUpdate            = 3
	NotifyPackageUpdate            = 4
	NotifySellerDeauthorization    = 6
	NotifyAuthorizationExpiring    = 7
	NotifyCancellationStatusChange = 11
)

// AddressUpdate is the data of a RECIPIENT_ADDRESS_UPDATE (type 3)
// notification: the order to fetch again.
type AddressUpdate struct {
	OrderID    string `json:"order_id"`
	UpdateTime int64  `json:"update_time"`
}

// PackageUpdate is the data of a PACKAGE_UPDATE (type 4) notification: a
// combine or split changed which packages the orders have.
type PackageUpdate struct {
	// ScType is COMBINE or SPLIT.
	ScType      string          `json:"sc_type"`
	RoleType    string          `json:"role_type"`
	PackageList []PackageOrders `json:"package_list"`
	UpdateTime  int64           `json:"update_time"`
}

// PackageOrders is one package of a PACKAGE_UPDATE and the orders in it.
type PackageOrders struct {
	PackageID   string   `json:"package_id"`
	OrderIDList []string `json:"order_id_list"`
}

// OrderIDs lists the orders a package update names, without duplicates.
func (p PackageUpdate) OrderIDs() []string {
	seen := map[string]bool{}
	var ids []string
	for _, pk := range p.PackageList {
		for _, id := range pk.OrderIDList {
			if id != "" && !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// CancellationStatusChange is the data of a CANCELLATION_STATUS_CHANGE
// (type 11) notification.
type CancellationStatusChange struct {
	OrderID           string `json:"order_id"`
	CancellationsRole string `json:"cancellations_role"`
	// CancelStatus is e.g. CANCELLATION_REQUEST_PENDING,
	// CANCELLATION_REQUEST_SUCCESS or CANCELLATION_REQUEST_CANCEL.
	CancelStatus string `json:"cancel_status"`
	CancelID     string `json:"cancel_id"`
	CreateTime   int64  `json:"create_time"`
}

// AuthorizationNotice is the data of SELLER_DEAUTHORIZATION (type 6) and
// UPCOMING_AUTHORIZATION_EXPIRATION (type 7) notifications. TikTok sends
// type 7 thirty days before expiry, then daily (marketplace-and-3pl-apis
// reference §1.8, the webhook table).
type AuthorizationNotice struct {
	Message string `json:"message"`
	// ExpirationTime is when the authorization expires (unix seconds;
	// type 7 only).
	ExpirationTime int64 `json:"expiration_time,omitempty"`
}

// OrderStatusChange is the data of an ORDER_STATUS_CHANGE (type 1)
// notification.
type OrderStatusChange struct {
	OrderID       string `json:"order_id"`
	OrderStatus   string `json:"order_status"`
	IsOnHoldOrder bool   `json:"is_on_hold_order"`
	UpdateTime    int64  `json:"update_time"`
}

// Error codes shipdeck branches on.
const (
	CodeOK               = 0
	CodeRateLimited      = 36009002
	CodeInternal         = 36009003
	CodeOverloaded       = 36009004
	CodeTimeout          = 36009007
	CodeIPNotAllowed     = 36009033
	CodeExpiredToken     = 105002
	CodeScopeDenied      = 105005
	CodeBadSignature     = 106001
	CodeMissingCipher    = 106013
	CodeNotSellersOrder  = 21008111
	CodeRegionNotAllowed = 21008106
	// CodeOnHold refuses a fulfilment call on an order still ON_HOLD.
	CodeOnHold = 21011044
	// CodeUpdateWindowShut refuses a shipping info update more than 72
	// hours after shipping (US).
	CodeUpdateWindowShut = 21011049
)
