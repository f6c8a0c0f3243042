// CommandInterrupt: Ctrl-C while a shell command runs stops that command, not
// the shell (the interactive shell holds one around each command it runs).
//
// For its lifetime SIGINT sets a process-wide flag instead of ending the
// process; commands that loop (scan, history) poll it between entries and
// end their list early, and the shell then says `interrupted` on the
// terminal. A command inside one engine call (compact, flush, put)
// finishes that call first: the engine has no cancellation points, and
// stopping it half way would not be safe anyway. The previous SIGINT
// disposition comes back when the object is destroyed, so a Ctrl-C between
// commands is the line reader's again (it drops the line being typed).
//
// Thread-safety: one CommandInterrupt at a time; requested() may be called
// from any thread.
#pragma once

#include <signal.h>

namespace sand::cli {

class CommandInterrupt {
 public:
  // Installs the handler and clears the flag.
  CommandInterrupt();
  // Restores the previous SIGINT disposition.
  ~CommandInterrupt();
  CommandInterrupt(const CommandInterrupt&) = delete;
  CommandInterrupt& operator=(const CommandInterrupt&) = delete;

  // Whether SIGINT arrived since this object was made.
  static bool requested();

 private:
  struct sigaction previous_ {};
};

}  // namespace sand::cli
