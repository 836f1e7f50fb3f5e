/*
 * executor.c: a custom Mesos executor in C over the mesos-http C ABI. The
 * agent starts it (it reads MESOS_FRAMEWORK_ID, MESOS_EXECUTOR_ID,
 * MESOS_SLAVE_PID, ... from its environment). For each launched task it
 * reports TASK_RUNNING, and TASK_FINISHED at once when the task's data is
 * "finish"; KILL answers TASK_KILLED; every MESSAGE is echoed back as
 * "echo: <data>"; SHUTDOWN kills the running tasks, waits for the agent to
 * acknowledge the updates and exits 0.
 *
 * Exit status: 0 after SHUTDOWN, 1 when the agent connection ended first,
 * 2 when the environment is not an agent's.
 *
 * Build: cargo build -p mesos-http-ffi, then
 *   cc -std=c11 -Iffi/include ffi/examples/executor.c \
 *   target/debug/libmesos_http_ffi.a -lpthread -ldl -lm -o executor
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mesos_http.h"

#define MAX_TASKS 16
#define POLL_MS 200

/* The ids of the tasks still running (copies owned here). */
static char *running[MAX_TASKS];

static void report(const char *what, mesos_http_error *error) {
  fprintf(stderr, "%s failed: %s\n", what, mesos_http_error_message(error));
  mesos_http_error_free(error);
}

static void update(const mesos_http_executor *executor, const char *task_id,
                   mesos_http_task_state state, const char *message) {
  mesos_http_error *error = NULL;
  uint8_t uuid[16];
  if (mesos_http_executor_update(executor, task_id, (int32_t)state, message,
                                 NULL, 0, uuid, &error) != MESOS_HTTP_RESULT_OK) {
    report("update", error);
    return;
  }
  printf("task %s: %s\n", task_id, mesos_http_task_state_name((int32_t)state));
}

static void forget(const char *task_id) {
  for (int i = 0; i < MAX_TASKS; i++) {
    if (running[i] != NULL && strcmp(running[i], task_id) == 0) {
      free(running[i]);
      running[i] = NULL;
    }
  }
}

static void launch(const mesos_http_executor *executor,
                   const mesos_http_executor_event *event) {
  size_t count = mesos_http_executor_event_task_count(event);
  for (size_t i = 0; i < count; i++) {
    const char *id = mesos_http_executor_event_task_id(event, i);
    const uint8_t *data = NULL;
    size_t len = 0;
    update(executor, id, MESOS_HTTP_TASK_STATE_RUNNING, NULL);
    if (mesos_http_executor_event_task_data(event, i, &data, &len) == MESOS_HTTP_RESULT_OK &&
        len == 6 && memcmp(data, "finish", 6) == 0) {
      update(executor, id, MESOS_HTTP_TASK_STATE_FINISHED, "finished at once");
      continue;
    }
    for (int slot = 0; slot < MAX_TASKS; slot++) {
      if (running[slot] == NULL) {
        size_t n = strlen(id) + 1;
        running[slot] = malloc(n);
        if (running[slot] != NULL) {
          memcpy(running[slot], id, n);
        }
        break;
      }
    }
  }
}

static void echo(const mesos_http_executor *executor,
                 const mesos_http_executor_event *event) {
  const uint8_t *data = NULL;
  size_t len = 0;
  if (mesos_http_executor_event_data(event, &data, &len) != MESOS_HTTP_RESULT_OK) {
    return;
  }
  printf("message from the scheduler: %.*s\n", (int)len, (const char *)data);
  uint8_t *reply = malloc(len + 6);
  if (reply == NULL) {
    return;
  }
  memcpy(reply, "echo: ", 6);
  if (len > 0) {
    memcpy(reply + 6, data, len);
  }
  mesos_http_error *error = NULL;
  if (mesos_http_executor_message(executor, reply, len + 6, &error) != MESOS_HTTP_RESULT_OK) {
    report("message", error);
  }
  free(reply);
}

int main(void) {
  mesos_http_executor *executor = NULL;
  mesos_http_error *error = NULL;
  if (mesos_http_executor_connect(NULL, NULL, 0, MESOS_HTTP_ENCODING_PROTOBUF, &executor,
                                  &error) != MESOS_HTTP_RESULT_OK) {
    report("connect", error);
    return 2;
  }
  int code = 1;
  int shutting_down = 0;
  for (;;) {
    if (shutting_down && mesos_http_executor_unacknowledged_updates(executor) == 0) {
      code = 0;
      break;
    }
    mesos_http_executor_event *event = NULL;
    mesos_http_result result = mesos_http_executor_next_event(executor, POLL_MS, &event, &error);
    if (result == MESOS_HTTP_RESULT_TIMEOUT) {
      continue;
    }
    if (result != MESOS_HTTP_RESULT_OK) {
      if (result != MESOS_HTTP_RESULT_CLOSED) {
        report("next_event", error);
      }
      break;
    }
    switch (mesos_http_executor_event_get_kind(event)) {
      case MESOS_HTTP_EXECUTOR_EVENT_KIND_SUBSCRIBED:
        printf("subscribed\n");
        break;
      case MESOS_HTTP_EXECUTOR_EVENT_KIND_LAUNCH:
      case MESOS_HTTP_EXECUTOR_EVENT_KIND_LAUNCH_GROUP:
        launch(executor, event);
        break;
      case MESOS_HTTP_EXECUTOR_EVENT_KIND_KILL: {
        const char *id = mesos_http_executor_event_task_id(event, 0);
        forget(id);
        update(executor, id, MESOS_HTTP_TASK_STATE_KILLED, "killed on request");
        break;
      }
      case MESOS_HTTP_EXECUTOR_EVENT_KIND_MESSAGE:
        echo(executor, event);
        break;
      case MESOS_HTTP_EXECUTOR_EVENT_KIND_SHUTDOWN:
        printf("shutdown\n");
        shutting_down = 1;
        for (int i = 0; i < MAX_TASKS; i++) {
          if (running[i] != NULL) {
            update(executor, running[i], MESOS_HTTP_TASK_STATE_KILLED, "shut down");
            free(running[i]);
            running[i] = NULL;
          }
        }
        break;
      case MESOS_HTTP_EXECUTOR_EVENT_KIND_CONNECTION:
        printf("connection: %s\n", mesos_http_executor_event_message(event));
        break;
      default:
        break;
    }
    mesos_http_executor_event_free(event);
  }
  for (int i = 0; i < MAX_TASKS; i++) {
    free(running[i]);
  }
  mesos_http_executor_free(executor);
  printf("exiting with %d\n", code);
  return code;
}
