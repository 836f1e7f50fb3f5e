#!/usr/bin/env python3
"""Runs `echo hello` on a Mesos cluster through the mesos-http C ABI's
framework layer, from Python with ctypes only: prints each change of the
task's state once (updates are acknowledged when their event is freed), and
tears the framework down when the task is over.

    python3 ffi/examples/execute.py MASTER_URL [--state-dir DIR]
        [--lib path/to/libmesos_http_ffi.so]

With --state-dir the framework id and the launch are kept in DIR: killed and
started again with the same DIR, it resumes the same framework and does not
launch the task twice.

The library is built by `cargo build -p mesos-http-ffi` (target/debug/
libmesos_http_ffi.so); MESOS_HTTP_LIB or --lib point at another copy.

Exit status: 0 when the task reached TASK_FINISHED, 1 when it ended in
another state or the subscription failed, 2 on bad usage, 3 when nothing
happened within the time limit.
"""

import argparse
import ctypes
import os
import sys
from ctypes import (POINTER, c_bool, c_char_p, c_double, c_int, c_int32, c_int64,
                    c_size_t, c_uint32, c_uint64, c_void_p)

# Values from ffi/include/mesos_http.h.
RESULT_OK = 0
RESULT_TIMEOUT = 1
EVENT_KIND_SUBSCRIBED = 1
EVENT_KIND_OFFERS = 2
EVENT_KIND_UPDATE = 4
EVENT_KIND_ERROR = 7
EVENT_KIND_CONNECTION = 100
EVENT_KIND_UNKNOWN_TASK = 102
CONNECTION_STATE_SUBSCRIBED = 2
CONNECTION_STATE_TERMINATED = 5
TASK_STATE_FINISHED = 2

POLL_MS = 500
MAX_POLLS = 120
TASK_ID = b"hello-1"


class MesosHttpError(Exception):
    """A failed call: the result code's name and the library's message."""


def load(path):
    """Loads the library and declares the prototypes this program uses."""
    lib = ctypes.CDLL(path)
    handle = c_void_p
    error_out = POINTER(c_void_p)

    def declare(name, restype, *argtypes):
        function = getattr(lib, name)
        function.restype = restype
        function.argtypes = list(argtypes)

    declare("mesos_http_config_new", handle)
    declare("mesos_http_config_free", None, handle)
    declare("mesos_http_config_set_masters", c_int, handle, c_char_p, error_out)
    declare("mesos_http_config_set_framework", c_int, handle, c_char_p, c_char_p, error_out)
    declare("mesos_http_config_set_backoff", c_int, handle, c_uint64, c_uint64, error_out)
    declare("mesos_http_config_set_failover_timeout", c_int, handle, c_double, error_out)
    declare("mesos_http_framework_connect", c_int, handle, c_char_p, POINTER(c_void_p),
            error_out)
    declare("mesos_http_framework_next_event", c_int, handle, c_int64, POINTER(c_void_p),
            error_out)
    declare("mesos_http_framework_launch", c_int, handle, c_char_p, c_char_p, c_char_p,
            c_char_p, c_char_p, c_double, c_double, error_out)
    declare("mesos_http_framework_decline", c_int, handle, POINTER(c_char_p), c_size_t,
            c_double, error_out)
    declare("mesos_http_framework_teardown", c_int, handle, error_out)
    declare("mesos_http_framework_restored_count", c_size_t, handle)
    declare("mesos_http_framework_restored_task_id", c_char_p, handle, c_size_t)
    declare("mesos_http_framework_restored_state", c_int32, handle, c_size_t)
    declare("mesos_http_framework_free", None, handle)
    declare("mesos_http_event_get_kind", c_int, handle)
    declare("mesos_http_event_connection_state", c_int, handle)
    declare("mesos_http_event_message", c_char_p, handle)
    declare("mesos_http_event_framework_id", c_char_p, handle)
    declare("mesos_http_event_offer_count", c_size_t, handle)
    declare("mesos_http_event_offer_id", c_char_p, handle, c_size_t)
    declare("mesos_http_event_offer_agent_id", c_char_p, handle, c_size_t)
    declare("mesos_http_event_offer_scalar", c_double, handle, c_size_t, c_char_p)
    declare("mesos_http_event_task_id", c_char_p, handle)
    declare("mesos_http_event_task_state", c_int32, handle)
    declare("mesos_http_event_free", None, handle)
    declare("mesos_http_task_state_name", c_char_p, c_int32)
    declare("mesos_http_task_state_is_terminal", c_bool, c_int32)
    declare("mesos_http_result_name", c_char_p, c_uint32)
    declare("mesos_http_error_message", c_char_p, handle)
    declare("mesos_http_error_free", None, handle)
    return lib


def check(lib, what, call):
    """Runs `call(error_out)`; raises MesosHttpError with the library's
    message (the error object is freed) unless it returned OK."""
    error = c_void_p()
    result = call(ctypes.byref(error))
    if result != RESULT_OK:
        message = lib.mesos_http_error_message(error).decode()
        lib.mesos_http_error_free(error)
        raise MesosHttpError(f"{what} failed: {message}")
    return result


def text(value):
    """A borrowed C string as str ('' for NULL)."""
    return value.decode() if value else ""


def use_offers(lib, scheduler, event, launched):
    """Launches the task on the first offer big enough, declines the rest."""
    for index in range(lib.mesos_http_event_offer_count(event)):
        offer_id = lib.mesos_http_event_offer_id(event, index)
        if (not launched and lib.mesos_http_event_offer_scalar(event, index, b"cpus") >= 0.1
                and lib.mesos_http_event_offer_scalar(event, index, b"mem") >= 32.0):
            agent_id = lib.mesos_http_event_offer_agent_id(event, index)
            print(f"launching {TASK_ID.decode()} on agent {text(agent_id)} "
                  f"(offer {text(offer_id)})", flush=True)
            check(lib, "launch", lambda err: lib.mesos_http_framework_launch(
                scheduler, offer_id, agent_id, TASK_ID, b"hello", b"echo hello", 0.1, 32.0,
                err))
            launched = True
            continue
        ids = (c_char_p * 1)(offer_id)
        check(lib, "decline",
              lambda err: lib.mesos_http_framework_decline(scheduler, ids, 1, -1.0, err))
    return launched


def handle_event(lib, scheduler, event, state):
    """Reacts to one event; returns the exit code once the run is decided."""
    kind = lib.mesos_http_event_get_kind(event)
    if kind == EVENT_KIND_CONNECTION:
        connection = lib.mesos_http_event_connection_state(event)
        if connection == CONNECTION_STATE_SUBSCRIBED:
            framework_id = text(lib.mesos_http_event_framework_id(event))
            print(f"subscribed as framework {framework_id}", flush=True)
        else:
            print(f"connection: {text(lib.mesos_http_event_message(event))}", flush=True)
        if connection == CONNECTION_STATE_TERMINATED:
            return 1
    elif kind == EVENT_KIND_UNKNOWN_TASK:
        print(f"unknown task {text(lib.mesos_http_event_task_id(event))}", flush=True)
    elif kind == EVENT_KIND_OFFERS:
        state["launched"] = use_offers(lib, scheduler, event, state["launched"])
    elif kind == EVENT_KIND_UPDATE:
        task_state = lib.mesos_http_event_task_state(event)
        name = text(lib.mesos_http_task_state_name(task_state)) or "UNKNOWN_STATE"
        message = text(lib.mesos_http_event_message(event))
        suffix = f": {message}" if message else ""
        task_id = text(lib.mesos_http_event_task_id(event))
        # One event per real change; freeing it acknowledges the update.
        print(f"update: task {task_id} is {name}{suffix}", flush=True)
        if lib.mesos_http_task_state_is_terminal(task_state):
            return 0 if task_state == TASK_STATE_FINISHED else 1
    elif kind == EVENT_KIND_ERROR:
        print(f"error from the master: {text(lib.mesos_http_event_message(event))}",
              flush=True)
    return None


def run(lib, master, state_dir=None):
    """The whole flow; returns the exit code."""
    config = lib.mesos_http_config_new()
    if not config:
        raise MesosHttpError("mesos_http_config_new failed")
    scheduler = c_void_p()
    try:
        check(lib, "set_masters",
              lambda err: lib.mesos_http_config_set_masters(config, master.encode(), err))
        check(lib, "set_framework", lambda err: lib.mesos_http_config_set_framework(
            config, b"nobody", b"execute-python", err))
        check(lib, "set_backoff",
              lambda err: lib.mesos_http_config_set_backoff(config, 100, 1000, err))
        if state_dir is not None:
            check(lib, "set_failover_timeout",
                  lambda err: lib.mesos_http_config_set_failover_timeout(config, 86400.0, err))
        directory = state_dir.encode() if state_dir is not None else None
        check(lib, "connect", lambda err: lib.mesos_http_framework_connect(
            config, directory, ctypes.byref(scheduler), err))
    finally:
        lib.mesos_http_config_free(config)

    exit_code = None
    state = {"launched": False}
    # A launch an earlier run recorded: not launched again.
    for index in range(lib.mesos_http_framework_restored_count(scheduler)):
        if lib.mesos_http_framework_restored_task_id(scheduler, index) == TASK_ID:
            state["launched"] = True
            ended = lib.mesos_http_framework_restored_state(scheduler, index)
            print(f"resuming: {TASK_ID.decode()} was launched before", flush=True)
            if ended >= 0:
                exit_code = 0 if ended == TASK_STATE_FINISHED else 1
    polls = 0
    try:
        while exit_code is None and polls < MAX_POLLS:
            event = c_void_p()
            error = c_void_p()
            result = lib.mesos_http_framework_next_event(scheduler, POLL_MS,
                                                         ctypes.byref(event),
                                                         ctypes.byref(error))
            if result == RESULT_TIMEOUT:
                polls += 1
                continue
            if result != RESULT_OK:
                message = lib.mesos_http_error_message(error).decode()
                lib.mesos_http_error_free(error)
                name = lib.mesos_http_result_name(result).decode()
                print(f"next_event: {name}: {message}", file=sys.stderr)
                return 1
            try:
                exit_code = handle_event(lib, scheduler, event, state)
            finally:
                lib.mesos_http_event_free(event)
        if exit_code is None:
            print("gave up: the task did not end in time", file=sys.stderr)
            exit_code = 3
        try:
            check(lib, "teardown",
                  lambda err: lib.mesos_http_framework_teardown(scheduler, err))
            print("teardown accepted", flush=True)
        except MesosHttpError as error:
            print(error, file=sys.stderr)
        return exit_code
    finally:
        lib.mesos_http_framework_free(scheduler)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("master", help="master URL, e.g. http://127.0.0.1:5050")
    parser.add_argument("--state-dir", default=None,
                        help="keep the framework id and the launch in this directory")
    parser.add_argument("--lib", default=os.environ.get("MESOS_HTTP_LIB",
                                                        "target/debug/libmesos_http_ffi.so"),
                        help="path to libmesos_http_ffi.so")
    args = parser.parse_args()
    try:
        lib = load(args.lib)
    except OSError as error:
        print(f"cannot load {args.lib}: {error}", file=sys.stderr)
        return 2
    try:
        return run(lib, args.master, args.state_dir)
    except MesosHttpError as error:
        print(error, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
