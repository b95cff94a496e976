// Command shipdeck is a terminal operations console for TikTok Shop sellers
// who fulfil through 3PLs and carriers.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stdout, "shipdeck: the live demo console starts here once the console lands.")
}
