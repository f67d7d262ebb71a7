package io.wruntime.manager.auth;

import static java.util.Objects.requireNonNull;

/**
 * Every ManagerService method, with who may call it. The table is the contract documented in {@code
 * docs/grpc-api.md}; a test checks that it names every method of the service.
 */
public enum ManagerCall {
  REGISTER_ENGINE("RegisterEngine", Access.OWN_ENGINES),
  DEREGISTER_ENGINE("DeregisterEngine", Access.OWN_ENGINES),
  HEARTBEAT("Heartbeat", Access.OWN_ENGINES),
  GET_ROUTING_TABLE("GetRoutingTable", Access.READ),
  WATCH_ROUTING_TABLE("WatchRoutingTable", Access.READ),
  UPSERT_ROUTING_RULE("UpsertRoutingRule", Access.ADMIN),
  DELETE_ROUTING_RULE("DeleteRoutingRule", Access.ADMIN),
  GET_SCHEMA("GetSchema", Access.READ),
  LIST_ENGINES("ListEngines", Access.READ),
  GET_ENGINE("GetEngine", Access.READ),
  REMOVE_ENGINE("RemoveEngine", Access.ADMIN),
  LIST_SERVICES("ListServices", Access.READ),
  GET_SERVICE("GetService", Access.READ),
  SET_SECRET("SetSecret", Access.ADMIN),
  DELETE_SECRET("DeleteSecret", Access.ADMIN),
  LIST_SECRETS("ListSecrets", Access.ADMIN),
  UPSERT_SCHEDULE("UpsertSchedule", Access.ADMIN),
  DELETE_SCHEDULE("DeleteSchedule", Access.ADMIN),
  LIST_SCHEDULES("ListSchedules", Access.ADMIN),
  LIST_MANAGERS("ListManagers", Access.READ);

  /** Who may make a call. */
  public enum Access {
    /** Admin identities (and the local caller of a loopback plaintext listener) only. */
    ADMIN,
    /**
     * Node identities for the engines of their own node (the node name of the certificate), and
     * admins for any engine.
     */
    OWN_ENGINES,
    /** Every authenticated identity: it reveals no secret and changes nothing. */
    READ
  }

  private final String method;
  private final Access access;

  ManagerCall(String method, Access access) {
    this.method = requireNonNull(method, "method");
    this.access = requireNonNull(access, "access");
  }

  /** The method's name in {@code proto/wruntime.proto}, e.g. {@code RegisterEngine}. */
  public String method() {
    return method;
  }

  public Access access() {
    return access;
  }
}
