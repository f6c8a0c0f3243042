// CommandInterrupt (command_interrupt.hpp).
#include "cli/command_interrupt.hpp"

#include <atomic>

namespace sand::cli {
namespace {

// Lock-free, so the handler may set it (async-signal-safe).
std::atomic<bool> g_interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void on_command_interrupt(int /*signal*/) {
  g_interrupted.store(true, std::memory_order_relaxed);
}

}  // namespace

CommandInterrupt::CommandInterrupt() {
  g_interrupted.store(false, std::memory_order_relaxed);
  struct sigaction action {};
  action.sa_handler = on_command_interrupt;
  sigemptyset(&action.sa_mask);
  // Restarted system calls: the command's I/O goes on, and the command looks
  // at the flag itself.
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, &previous_);
}

CommandInterrupt::~CommandInterrupt() { sigaction(SIGINT, &previous_, nullptr); }

bool CommandInterrupt::requested() { return g_interrupted.load(std::memory_order_relaxed); }

}  // namespace sand::cli
