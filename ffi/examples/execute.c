/*
 * execute.c: runs one shell command (`echo hello`) on a Mesos cluster
 * through the mesos-http C ABI's framework layer, prints each change of the
 * task's state once (updates are acknowledged when their event is freed),
 * and tears the framework down when the task is over.
 *
 *   ./execute http://127.0.0.1:5050 [STATE_DIR]
 *
 * With STATE_DIR the framework id and the launch are kept there: killed and
 * started again with the same directory, it resumes the same framework and
 * does not launch the task twice.
 *
 * Exit status: 0 when the task reached TASK_FINISHED, 1 when it ended in
 * another state or the subscription failed, 2 on bad usage, 3 when nothing
 * happened within the time limit.
 *
 * Build (see README): cargo build -p mesos-http-ffi, then
 *   cc -std=c11 -Iffi/include ffi/examples/execute.c \
 *   target/debug/libmesos_http_ffi.a -lpthread -ldl -lm -o execute
 */
#define _POSIX_C_SOURCE 200809L /* SIGPIPE */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mesos_http.h"

/* Gives up when this many polls of POLL_MS pass without the task ending. */
#define POLL_MS 500
#define MAX_POLLS 120

#define TASK_ID "hello-1"

/* Prints a failed call and frees its error object. */
static void report(const char *what, mesos_http_error *error) {
  fprintf(stderr, "%s failed: %s\n", what, mesos_http_error_message(error));
  mesos_http_error_free(error);
}

/* Builds the config; NULL (after printing why) when a setter refuses. */
static mesos_http_config *make_config(const char *master, int durable) {
  mesos_http_config *config = mesos_http_config_new();
  mesos_http_error *error = NULL;
  if (config == NULL) {
    fprintf(stderr, "mesos_http_config_new failed\n");
    return NULL;
  }
  if (mesos_http_config_set_masters(config, master, &error) != MESOS_HTTP_RESULT_OK) {
    report("set_masters", error);
  } else if (mesos_http_config_set_framework(config, "nobody", "execute-c", &error) !=
             MESOS_HTTP_RESULT_OK) {
    report("set_framework", error);
  } else if (mesos_http_config_set_backoff(config, 100, 1000, &error) !=
             MESOS_HTTP_RESULT_OK) {
    report("set_backoff", error);
  } else if (durable && mesos_http_config_set_failover_timeout(config, 86400.0, &error) !=
                            MESOS_HTTP_RESULT_OK) {
    report("set_failover_timeout", error);
  } else {
    return config;
  }
  mesos_http_config_free(config);
  return NULL;
}

/* Launches the task on the first offer big enough, declines the rest.
 * Returns 1 when the task was launched. */
static int use_offers(const mesos_http_framework *framework, const mesos_http_event *event,
                      int launched) {
  size_t count = mesos_http_event_offer_count(event);
  for (size_t i = 0; i < count; i++) {
    const char *offer_id = mesos_http_event_offer_id(event, i);
    mesos_http_error *error = NULL;
    if (!launched && mesos_http_event_offer_scalar(event, i, "cpus") >= 0.1 &&
        mesos_http_event_offer_scalar(event, i, "mem") >= 32.0) {
      const char *agent_id = mesos_http_event_offer_agent_id(event, i);
      printf("launching %s on agent %s (offer %s)\n", TASK_ID, agent_id, offer_id);
      if (mesos_http_framework_launch(framework, offer_id, agent_id, TASK_ID, "hello",
                                      "echo hello", 0.1, 32.0,
                                      &error) == MESOS_HTTP_RESULT_OK) {
        launched = 1;
        continue;
      }
      report("launch", error);
      error = NULL;
    }
    if (mesos_http_framework_decline(framework, &offer_id, 1, -1.0, &error) !=
        MESOS_HTTP_RESULT_OK) {
      report("decline", error);
    }
  }
  return launched;
}

int main(int argc, char **argv) {
  if (argc != 2 && argc != 3) {
    fprintf(stderr, "usage: %s MASTER_URL [STATE_DIR]\n", argv[0]);
    return 2;
  }
  const char *state_dir = argc == 3 ? argv[2] : NULL;
  /* A write to a connection the master has just closed must fail with an
   * error, not kill the process (the library retries): the usual setting
   * for a C program that talks to the network. */
  signal(SIGPIPE, SIG_IGN);
  mesos_http_config *config = make_config(argv[1], state_dir != NULL);
  if (config == NULL) {
    return 1;
  }
  mesos_http_framework *framework = NULL;
  mesos_http_error *error = NULL;
  mesos_http_result result = mesos_http_framework_connect(config, state_dir, &framework, &error);
  mesos_http_config_free(config);
  if (result != MESOS_HTTP_RESULT_OK) {
    report("connect", error);
    return 1;
  }

  int exit_code = 3;
  int launched = 0;
  /* A launch an earlier run recorded: not launched again. */
  for (size_t i = 0; i < mesos_http_framework_restored_count(framework); i++) {
    if (strcmp(mesos_http_framework_restored_task_id(framework, i), TASK_ID) == 0) {
      int32_t ended = mesos_http_framework_restored_state(framework, i);
      printf("resuming: %s was launched before%s%s\n", TASK_ID, ended >= 0 ? ", ended " : "",
             ended >= 0 ? mesos_http_task_state_name(ended) : "");
      launched = 1;
      if (ended >= 0) {
        exit_code = ended == MESOS_HTTP_TASK_STATE_FINISHED ? 0 : 1;
      }
    }
  }
  int polls = 0;
  while (exit_code == 3 && polls < MAX_POLLS) {
    mesos_http_event *event = NULL;
    result = mesos_http_framework_next_event(framework, POLL_MS, &event, &error);
    if (result == MESOS_HTTP_RESULT_TIMEOUT) {
      polls++;
      continue;
    }
    if (result != MESOS_HTTP_RESULT_OK) {
      report("next_event", error);
      exit_code = 1;
      break;
    }
    switch (mesos_http_event_get_kind(event)) {
    case MESOS_HTTP_EVENT_KIND_CONNECTION: {
      const char *message = mesos_http_event_message(event);
      mesos_http_connection_state state = mesos_http_event_connection_state(event);
      if (state == MESOS_HTTP_CONNECTION_STATE_SUBSCRIBED) {
        printf("subscribed as framework %s\n", mesos_http_event_framework_id(event));
      } else {
        printf("connection: %s\n", message ? message : "");
      }
      if (state == MESOS_HTTP_CONNECTION_STATE_TERMINATED) {
        exit_code = 1;
      }
      break;
    }
    case MESOS_HTTP_EVENT_KIND_OFFERS:
      launched = use_offers(framework, event, launched);
      break;
    case MESOS_HTTP_EVENT_KIND_UPDATE: {
      /* One event per real change of the task's state; freeing it
       * acknowledges the update. */
      int32_t state = mesos_http_event_task_state(event);
      const char *name = mesos_http_task_state_name(state);
      const char *message = mesos_http_event_message(event);
      printf("update: task %s is %s%s%s\n", mesos_http_event_task_id(event),
             name ? name : "UNKNOWN_STATE", message ? ": " : "", message ? message : "");
      if (mesos_http_task_state_is_terminal(state)) {
        exit_code = state == MESOS_HTTP_TASK_STATE_FINISHED ? 0 : 1;
      }
      break;
    }
    case MESOS_HTTP_EVENT_KIND_UNKNOWN_TASK:
      printf("unknown task %s\n", mesos_http_event_task_id(event));
      break;
    case MESOS_HTTP_EVENT_KIND_ERROR:
      printf("error from the master: %s\n", mesos_http_event_message(event));
      break;
    default:
      break;
    }
    mesos_http_event_free(event);
  }
  if (exit_code == 3) {
    fprintf(stderr, "gave up: the task did not end in time\n");
  }

  if (mesos_http_framework_teardown(framework, &error) == MESOS_HTTP_RESULT_OK) {
    printf("teardown accepted\n");
  } else {
    report("teardown", error);
  }
  mesos_http_framework_free(framework);
  return exit_code;
}
