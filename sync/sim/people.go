package sim

// buyerNames are what real buyers type: accents, other scripts, emoji,
// apostrophes and right-to-left text.
var buyerNames = []string{
	"Zoë Lindqvist", "王芳", "José Álvarez", "Siobhán O'Neill", "Nguyễn Văn An",
	"Anaïs Dubois", "Mary-Kate Johnson", "Liam O'Brien", "Priya Raman", "Björn Åberg",
	"Chloé Martin", "김민준", "Алексей Смирнов", "محمد علي", "Sam 🚀 Lee",
	"Dana Whitfield", "Marcus Greene", "Aiko Tanaka", "Fatima Zahra", "Oluwaseun Adeyemi",
	"Jürgen Müller", "Renée Fleming-Cho", "Tomás Ruiz", "Emily Carter", "David Kim",
	"Grace Okafor", "Noah Bennett", "Isabella Rossi", "Ethan Brooks", "María José Peña",
}

// hostileNames carry terminal control and escape sequences, as a hostile
// or careless buyer could enter them. The console must never render them raw.
var hostileNames = []string{
	"\x1b[31mEvil\x1b[0m Buyer",
	"\x1b]0;pwned\x07Pat Doe",
	"Bob\rAlice Overwrite",
	"Tab\tSeparated\tName",
	"\u202eReversed Name",
	"Null\x00Byte Nora",
	"\x1b[2J\x1b[HClear Screen",
	"\x1b]8;;https://example.invalid\x07Click me\x1b]8;;\x07",
}

// usPlace is a city with its state and a real-looking ZIP.
type usPlace struct {
	City, State, StateName, County, Postal string
}

// usPlaces spans the country, including ZIPs with a leading zero and the
// 9xxxx West Coast ranges the picky 3PL refuses.
var usPlaces = []usPlace{
	{"Austin", "TX", "Texas", "Travis County", "78701"},
	{"Seattle", "WA", "Washington", "King County", "98101"},
	{"Brooklyn", "NY", "New York", "Kings County", "11201"},
	{"Chicago", "IL", "Illinois", "Cook County", "60614"},
	{"Denver", "CO", "Colorado", "Denver County", "80202"},
	{"Miami", "FL", "Florida", "Miami-Dade County", "33130"},
	{"Portland", "OR", "Oregon", "Multnomah County", "97205"},
	{"San Diego", "CA", "California", "San Diego County", "92101"},
	{"Boston", "MA", "Massachusetts", "Suffolk County", "02118"},
	{"Anchorage", "AK", "Alaska", "Anchorage Municipality", "99501"},
	{"Honolulu", "HI", "Hawaii", "Honolulu County", "96813"},
	{"Columbus", "OH", "Ohio", "Franklin County", "43215"},
	{"Nashville", "TN", "Tennessee", "Davidson County", "37203"},
	{"Phoenix", "AZ", "Arizona", "Maricopa County", "85004"},
	{"Minneapolis", "MN", "Minnesota", "Hennepin County", "55401"},
	{"Atlanta", "GA", "Georgia", "Fulton County", "30303"},
	{"Burlington", "VT", "Vermont", "Chittenden County", "05401"},
	{"Los Angeles", "CA", "California", "Los Angeles County", "90012"},
	{"Newark", "NJ", "New Jersey", "Essex County", "07102"},
	{"Kansas City", "MO", "Missouri", "Jackson County", "64105"},
	{"Washington", "DC", "District of Columbia", "District of Columbia", "20001"},
	{"New Orleans", "LA", "Louisiana", "Orleans Parish", "70112"},
	{"Baltimore", "MD", "Maryland", "Baltimore", "21202"},
}

// l2Level names a state's second address level where it is not a county
// (TikTok's US address_level table: county, borough, parish or city).
var l2Level = map[string]string{"LA": "Parish", "MD": "City"}

// ukPlace is a UK post town with its county and a real-looking postcode.
type ukPlace struct {
	Town, County, Postal, Street string
}

var ukPlaces = []ukPlace{
	{"Reading", "Berkshire", "RG1 1DB", "Friar St"},
	{"Manchester", "Greater Manchester", "M1 1AE", "Piccadilly"},
	{"Leeds", "West Yorkshire", "LS1 4DY", "Briggate"},
	{"Bristol", "Bristol", "BS1 4DJ", "Corn St"},
}

var streets = []string{
	"12 Elm St", "4501 Congress Ave", "880 Peachtree St NE", "1600 Larimer St",
	"77 Mass Ave", "2300 N Clark St", "15 Rue Royale", "901 Ocean Blvd",
	"3125 SE Division St", "48 Orchard Ln", "1010 Pine St", "600 Grand Ave",
	"221B Baker St", "5 Château Ct", "1 Harbor Way", "742 Evergreen Terrace",
}

var secondLines = []string{"Apt 4B", "Suite 210", "Unit 7", "Floor 3", "Apt 12", "#305"}
