package command

import "testing"

func TestListsTranscript(t *testing.T) { runCollTranscript(t, "testdata/lists") }
