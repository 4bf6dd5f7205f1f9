package mailout

// TmplWebSignIn is the web console's one-time sign-in link to a staff
// member; data WebSignInData.
const TmplWebSignIn = "web_signin"

// WebSignInData is the data of web_signin.
type WebSignInData struct {
	Link           string // the one-time address; never logged
	Minutes        int    // how long it is valid
	DeskName       string
	SupportAddress string
}
