package sqlite_test

import (
	"testing"

	"github.com/hubforce/hubforce/internal/store/storetest"
)

func TestActivity(t *testing.T) {
	storetest.RunActivity(t, newDatabase)
}
