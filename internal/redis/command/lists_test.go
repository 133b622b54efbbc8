package command

import "testing"

func TestListsTranscript(t *testing.T) { runCollTranscript(t, "testdata/lists") }

func TestListEffects(t *testing.T) { runEffects(t, "testdata/lists_effects") }
