// Command sapa-ferretdb runs FerretDB v1 with its SQLite backend as an embedded library.
//
// Why a wrapper: `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2` builds but panics at
// start-up because build/version/version.txt is not part of the module (FerretDB/FerretDB#2982).
// When FerretDB is a dependency of this module instead of the main module, that check is skipped.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	dataDir := flag.String("data-dir", "", "directory for the SQLite files (created if missing)")
	listen := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
	// WAL with synchronous=NORMAL: a commit survives a crash of any process (FerretDB, Sapa);
	// only an operating-system crash or power loss can lose the last commits. FULL would fsync on
	// every commit, which costs more than the rest of a write on a laptop disk.
	synchronous := flag.String("synchronous", "normal", "SQLite synchronous pragma: normal or full")
	flag.Parse()

	if *dataDir == "" {
		log.Fatal("--data-dir is required")
	}
	abs, err := filepath.Abs(*dataDir)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		log.Fatal(err)
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/?_pragma=synchronous(" + *synchronous + ")",
	})
	if err != nil {
		log.Fatal(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	fmt.Printf("sapa-ferretdb listening on %s, data in %s\n", *listen, abs)
	if err := f.Run(ctx); err != nil && ctx.Err() == nil {
		log.Fatal(err)
	}
}
