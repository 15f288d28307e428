// RunSubprocess: fork/exec one program without a shell, feed its stdin, capture stdout and stderr
// with poll(), and kill its whole process group on timeout. RealHost::Run is built on it.
#pragma once

#include <memory>
#include <string>

#include "libsan/host/host.h"
#include "libsan/util/logger.h"
#include "libsan/util/status.h"

namespace san {

// Runs the executable at `path` (already resolved; cmd.argv[0] serves only as its name in messages
// and the log) with arguments cmd.argv[1..], the inherited environment plus cmd.extra_env (which
// overrides inherited entries of the same name), and cmd.input written to its stdin. The child runs
// in its own process group with default signal dispositions and only fds 0-2 open. Waits until it
// exits, then reads its pipes at most 200 ms longer (a daemon it started may hold them open).
// `timeout` is used as given; cmd.timeout is ignored (the caller computes the effective one).
//
// A non-zero exit is an OK Output (128+N when killed by signal N). Fails with NotInstalled (exec
// ENOENT), Permission (exec EACCES/EPERM) or Internal when the program cannot be executed; Timeout
// when it runs past `timeout`, after killing and reaping the whole process group; Internal for an
// empty cmd.argv; and an errno
// Status (see ErrnoStatus) when pipes, fork, poll or waitpid fail.
//
// Ownership: `cmd` stays the caller's; every pipe and descriptor opened here is closed before
// returning. `log` may be null, is not owned, and receives argv and the exit code (plus stderr when
// non-zero) at debug level, never cmd.input, which may hold secrets. Safe to call from several
// threads.
Result<Output> RunSubprocess(const std::string& path, const Command& cmd, milliseconds timeout,
                             Logger* log);

// Starts the executable at `path` like RunSubprocess (own process group, clean signals, only fds
// 0-2) without waiting: stdin is /dev/null, stdout and stderr go to one pipe the returned Process
// reads. Its exit is noticed by ExitCode() (the child is reaped then). Fails like RunSubprocess
// when the program cannot be executed.
Result<std::unique_ptr<Process>> SpawnSubprocess(const std::string& path, const Command& cmd,
                                                 Logger* log);

}  // namespace san
