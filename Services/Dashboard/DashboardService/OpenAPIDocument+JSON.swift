extension OpenAPIDocument {
    /// The document (OpenAPI 3.0): every endpoint, its parameters, bodies and answers. Written by
    /// ops/openapi/generate.py (edit that, not this); `OpenAPIDocumentTests` fails when a route is
    /// missing from it, and the schemathesis run fuzzes the running dashboard against it.
    static let json = #"""
{
 "openapi": "3.0.3",
 "info": {
  "title": "Volta dashboard API",
  "version": "1",
  "description": "Reads come from the recorder and the bus; writes go to risk, execution and the strategy hosts. Writes need 'Authorization: Bearer <dashboard.token>'; reads from outside 127.0.0.1 need it too. Every refusal is a JSON {\"error\": ...}: 400 a request to fix, 401/403 who may write, 404 nothing of that name, 409 not now, 502/503 a service behind the dashboard failed or is not running."
 },
 "paths": {
  "/health": {
   "get": {
    "summary": "Liveness: the processes heard on the bus",
    "tags": [
     "read"
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "properties": {
          "status": {
           "type": "string"
          },
          "processes_heard": {
           "type": "integer"
          },
          "event_clients": {
           "type": "integer"
          }
         },
         "required": [
          "status"
         ]
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/metrics": {
   "get": {
    "summary": "Every process's metrics in Prometheus text",
    "tags": [
     "read"
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "text/plain": {
        "schema": {
         "type": "string"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/openapi.json": {
   "get": {
    "summary": "This document",
    "tags": [
     "read"
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/positions": {
   "get": {
    "summary": "Open positions with marks, greeks, stops",
    "tags": [
     "read"
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "properties": {
          "positions": {
           "type": "array",
           "items": {
            "type": "object"
           }
          }
         },
         "required": [
          "positions"
         ]
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    },
    "parameters": [
     {
      "name": "account",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "minLength": 1
      },
      "description": "Only this account's rows (SIM1, DU1234567, \u2026)"
     }
    ]
   }
  },
  "/api/positions/greeks": {
   "get": {
    "summary": "Net and per-underlying greeks",
    "tags": [
     "read"
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "properties": {
          "net": {
           "type": "object"
          },
          "by_underlying": {
           "type": "array",
           "items": {
            "type": "object"
           }
          },
          "beta_weighted": {
           "type": "array",
           "items": {
            "type": "object"
           }
          },
          "units": {
           "type": "string"
          }
         },
         "required": [
          "net",
          "by_underlying"
         ]
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    },
    "parameters": [
     {
      "name": "account",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "minLength": 1
      },
      "description": "Only this account's rows (SIM1, DU1234567, \u2026)"
     }
    ]
   }
  },
  "/api/positions/risk": {
   "get": {
    "summary": "Risk metrics, margin and limits",
    "tags": [
     "read"
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "properties": {
          "metrics": {
           "type": "object"
          },
          "accounts": {
           "type": "array",
           "items": {
            "type": "object"
           }
          },
          "limits": {
           "type": "array",
           "items": {
            "type": "object"
           }
          },
          "kill_switch": {
           "type": "string",
           "nullable": true
          }
         },
         "required": [
          "metrics",
          "accounts",
          "limits"
         ]
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/trades": {
   "get": {
    "summary": "Trade history; ?format=csv downloads it",
    "tags": [
     "read"
    ],
    "parameters": [
     {
      "name": "from",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "date"
      },
      "description": "First New York date, YYYY-MM-DD"
     },
     {
      "name": "to",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "date"
      },
      "description": "Last New York date"
     },
     {
      "name": "status",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "open",
        "closed",
        "all"
       ]
      },
      "description": "Which trades"
     },
     {
      "name": "strategy",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "minLength": 1
      },
      "description": "Only this strategy's"
     },
     {
      "name": "account",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "minLength": 1
      },
      "description": "Only this account's rows (SIM1, DU1234567, \u2026)"
     },
     {
      "name": "format",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "json",
        "csv"
       ]
      },
      "description": "json (default) or csv"
     }
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "properties": {
          "trades": {
           "type": "array",
           "items": {
            "type": "object"
           }
          }
         },
         "required": [
          "trades"
         ]
        }
       },
       "text/csv": {
        "schema": {
         "type": "string"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/orders": {
   "get": {
    "summary": "Working orders",
    "tags": [
     "read"
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "properties": {
          "pending": {
           "type": "array",
           "items": {
            "type": "object"
           }
          }
         },
         "required": [
          "pending"
         ]
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/strategies": {
   "get": {
    "summary": "Strategies: summary, states, parameters heard",
    "tags": [
     "read"
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "properties": {
          "summary": {
           "type": "array",
           "items": {
            "type": "object"
           }
          },
          "states": {
           "type": "array",
           "items": {
            "type": "object"
           }
          },
          "parameters": {
           "type": "object"
          }
         },
         "required": [
          "summary",
          "states"
         ]
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/strategies/parameters": {
   "get": {
    "summary": "The enabled strategies' parameters as the workers run them, and the edits made",
    "tags": [
     "read"
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "properties": {
          "parameters": {
           "type": "array",
           "items": {
            "type": "object",
            "properties": {
             "strategy": {
              "type": "string"
             },
             "key": {
              "type": "string"
             },
             "value": {
              "type": "string"
             },
             "default": {
              "type": "string"
             },
             "accepted": {
              "type": "string"
             },
             "help": {
              "type": "string"
             },
             "origin": {
              "type": "string"
             },
             "editable": {
              "type": "boolean"
             }
            },
            "required": [
             "strategy",
             "key",
             "value",
             "origin",
             "editable"
            ]
           }
          },
          "changes": {
           "type": "array",
           "items": {
            "type": "object"
           }
          }
         },
         "required": [
          "parameters",
          "changes"
         ]
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   },
   "post": {
    "summary": "Edit a strategy parameter (validated like the configuration; kept; logged with who and when)",
    "tags": [
     "write"
    ],
    "security": [
     {
      "bearer": []
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "properties": {
         "key": {
          "type": "string",
          "minLength": 1,
          "example": "strategy.putseller.target_delta"
         },
         "value": {
          "oneOf": [
           {
            "type": "string"
           },
           {
            "type": "number"
           },
           {
            "type": "boolean"
           }
          ]
         },
         "reset": {
          "type": "boolean"
         },
         "who": {
          "type": "string",
          "maxLength": 64
         }
        },
        "required": [
         "key"
        ]
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "properties": {
          "key": {
           "type": "string"
          },
          "value": {
           "type": "string",
           "nullable": true
          },
          "previous": {
           "type": "string"
          },
          "strategy": {
           "type": "string"
          },
          "who": {
           "type": "string"
          },
          "at_ns": {
           "type": "integer"
          },
          "detail": {
           "type": "string"
          }
         },
         "required": [
          "key",
          "previous",
          "strategy",
          "who",
          "at_ns"
         ]
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     },
     "409": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/pnl": {
   "get": {
    "summary": "Realized and unrealized P&L",
    "tags": [
     "read"
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "properties": {
          "realized": {
           "type": "number"
          },
          "unrealized": {
           "type": "number"
          },
          "total": {
           "type": "number"
          },
          "realized_today": {
           "type": "number"
          },
          "accounts": {
           "type": "array",
           "items": {
            "type": "object"
           }
          }
         },
         "required": [
          "realized",
          "unrealized",
          "total"
         ]
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/pnl/history": {
   "get": {
    "summary": "The equity curve",
    "tags": [
     "read"
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "properties": {
          "range": {
           "type": "string"
          },
          "points": {
           "type": "array",
           "items": {
            "type": "object"
           }
          }
         },
         "required": [
          "range",
          "points"
         ]
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    },
    "parameters": [
     {
      "name": "range",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "day",
        "week",
        "month",
        "all"
       ]
      },
      "description": "How far back"
     },
     {
      "name": "account",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "minLength": 1
      },
      "description": "Only this account's rows (SIM1, DU1234567, \u2026)"
     }
    ]
   }
  },
  "/api/status": {
   "get": {
    "summary": "Processes, trading state, the next scheduled trade",
    "tags": [
     "read"
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "properties": {
          "processes": {
           "type": "array",
           "items": {
            "type": "object"
           }
          },
          "alive_by_service": {
           "type": "object"
          },
          "trading": {
           "type": "object",
           "nullable": true
          },
          "next_scheduled_trade": {
           "type": "integer",
           "nullable": true
          },
          "now_ns": {
           "type": "integer"
          }
         },
         "required": [
          "processes",
          "now_ns"
         ]
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/alerts": {
   "get": {
    "summary": "The latest alerts",
    "tags": [
     "read"
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "properties": {
          "alerts": {
           "type": "array",
           "items": {
            "type": "object",
            "properties": {
             "kind": {
              "type": "string"
             },
             "level": {
              "type": "string",
              "enum": [
               "info",
               "warning",
               "critical"
              ]
             },
             "text": {
              "type": "string"
             },
             "time_ns": {
              "type": "integer"
             }
            },
            "required": [
             "kind",
             "level",
             "text",
             "time_ns"
            ]
           }
          }
         },
         "required": [
          "alerts"
         ]
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/intents/pending": {
   "get": {
    "summary": "Intents risk holds for an operator (confirm and window modes)",
    "tags": [
     "read"
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "properties": {
          "mode": {
           "type": "string"
          },
          "now_ns": {
           "type": "integer"
          },
          "pending": {
           "type": "array",
           "items": {
            "type": "object",
            "properties": {
             "intent_id": {
              "type": "string"
             },
             "strategy": {
              "type": "string"
             },
             "summary": {
              "type": "string"
             },
             "reason": {
              "type": "string"
             },
             "first_seen_ns": {
              "type": "integer"
             },
             "release_at_ns": {
              "type": "integer",
              "nullable": true
             }
            },
            "required": [
             "intent_id",
             "summary"
            ]
           }
          }
         },
         "required": [
          "mode",
          "pending",
          "now_ns"
         ]
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/intents/confirm": {
   "post": {
    "summary": "Confirm an intent risk holds",
    "tags": [
     "write"
    ],
    "security": [
     {
      "bearer": []
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "properties": {
         "intent_id": {
          "type": "string",
          "minLength": 1,
          "maxLength": 200
         }
        },
        "required": [
         "intent_id"
        ]
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "properties": {
          "intent_id": {
           "type": "string"
          },
          "action": {
           "type": "string"
          },
          "verdict": {
           "type": "string"
          },
          "reason_code": {
           "type": "string"
          },
          "detail": {
           "type": "string"
          }
         },
         "required": [
          "intent_id",
          "action"
         ]
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/intents/veto": {
   "post": {
    "summary": "Veto an intent risk holds",
    "tags": [
     "write"
    ],
    "security": [
     {
      "bearer": []
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "properties": {
         "intent_id": {
          "type": "string",
          "minLength": 1,
          "maxLength": 200
         }
        },
        "required": [
         "intent_id"
        ]
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "properties": {
          "intent_id": {
           "type": "string"
          },
          "action": {
           "type": "string"
          },
          "verdict": {
           "type": "string"
          },
          "reason_code": {
           "type": "string"
          },
          "detail": {
           "type": "string"
          }
         },
         "required": [
          "intent_id",
          "action"
         ]
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/mode": {
   "post": {
    "summary": "Set risk's operating mode",
    "tags": [
     "write"
    ],
    "security": [
     {
      "bearer": []
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "properties": {
         "mode": {
          "type": "string",
          "enum": [
           "confirm",
           "window",
           "auto"
          ]
         }
        },
        "required": [
         "mode"
        ]
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "properties": {
          "kill_switch": {
           "type": "string",
           "enum": [
            "ACTIVE",
            "REDUCING",
            "HALTED"
           ]
          },
          "mode": {
           "type": "string"
          },
          "net_liquidation": {
           "type": "number",
           "nullable": true
          },
          "day_pnl": {
           "type": "number",
           "nullable": true
          },
          "pending": {
           "type": "array",
           "items": {
            "type": "object"
           }
          },
          "pending_intents": {
           "type": "array",
           "items": {
            "type": "string"
           }
          }
         },
         "required": [
          "kill_switch",
          "mode"
         ]
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/killswitch": {
   "post": {
    "summary": "Set the kill switch, or an emergency stop (cancel every working order, then HALTED)",
    "tags": [
     "write"
    ],
    "security": [
     {
      "bearer": []
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "oneOf": [
         {
          "type": "object",
          "properties": {
           "state": {
            "type": "string",
            "enum": [
             "ACTIVE",
             "REDUCING",
             "HALTED"
            ]
           }
          },
          "required": [
           "state"
          ]
         },
         {
          "type": "object",
          "properties": {
           "emergency_stop": {
            "type": "string",
            "minLength": 1
           }
          },
          "required": [
           "emergency_stop"
          ]
         }
        ]
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "properties": {
          "kill_switch": {
           "type": "string",
           "enum": [
            "ACTIVE",
            "REDUCING",
            "HALTED"
           ]
          },
          "mode": {
           "type": "string"
          },
          "net_liquidation": {
           "type": "number",
           "nullable": true
          },
          "day_pnl": {
           "type": "number",
           "nullable": true
          },
          "pending": {
           "type": "array",
           "items": {
            "type": "object"
           }
          },
          "pending_intents": {
           "type": "array",
           "items": {
            "type": "string"
           }
          }
         },
         "required": [
          "kill_switch",
          "mode"
         ]
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/flatten": {
   "post": {
    "summary": "Cancel every working order, then close every position at smart limits",
    "tags": [
     "write"
    ],
    "security": [
     {
      "bearer": []
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "properties": {
         "key": {
          "type": "string",
          "pattern": "^[A-Za-z0-9_-]{8,64}$",
          "description": "Names this click: the same key again is the same order"
         },
         "reason": {
          "type": "string"
         }
        },
        "required": [
         "key"
        ]
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "properties": {
          "intents": {
           "type": "array",
           "items": {
            "type": "object"
           }
          }
         },
         "required": [
          "intents"
         ]
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/trade/trigger": {
   "post": {
    "summary": "Run a strategy's routine now, or a trader's own order",
    "tags": [
     "write"
    ],
    "security": [
     {
      "bearer": []
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "oneOf": [
         {
          "type": "object",
          "properties": {
           "strategy": {
            "type": "string",
            "minLength": 1,
            "example": "putseller"
           },
           "force": {
            "type": "boolean"
           }
          },
          "required": [
           "strategy"
          ]
         },
         {
          "type": "object",
          "properties": {
           "action": {
            "type": "string",
            "enum": [
             "close"
            ]
           },
           "account": {
            "type": "string",
            "minLength": 1
           },
           "key": {
            "type": "string",
            "pattern": "^[A-Za-z0-9_-]{8,64}$",
            "description": "Names this click: the same key again is the same order"
           },
           "instrument": {
            "type": "string",
            "minLength": 1,
            "example": "SPY 2027-02-19 P 575"
           },
           "quantity": {
            "type": "integer",
            "minimum": 1,
            "nullable": true,
            "description": "null or absent: the whole position"
           }
          },
          "required": [
           "action",
           "account",
           "key",
           "instrument"
          ]
         },
         {
          "type": "object",
          "properties": {
           "action": {
            "type": "string",
            "enum": [
             "open"
            ]
           },
           "account": {
            "type": "string",
            "minLength": 1
           },
           "key": {
            "type": "string",
            "pattern": "^[A-Za-z0-9_-]{8,64}$",
            "description": "Names this click: the same key again is the same order"
           },
           "underlying": {
            "type": "string",
            "minLength": 1
           },
           "expiry": {
            "type": "string",
            "format": "date"
           },
           "right": {
            "type": "string",
            "enum": [
             "C",
             "P",
             "c",
             "p"
            ]
           },
           "strike": {
            "type": "number",
            "minimum": 0,
            "exclusiveMinimum": true,
            "maximum": 1000000,
            "exclusiveMaximum": true
           },
           "side": {
            "type": "string",
            "enum": [
             "BUY",
             "SELL",
             "buy",
             "sell"
            ]
           },
           "quantity": {
            "type": "integer",
            "minimum": 1
           },
           "limit": {
            "type": "number",
            "minimum": 0,
            "exclusiveMinimum": true,
            "maximum": 1000000,
            "exclusiveMaximum": true,
            "nullable": true,
            "description": "null or absent: execution's smart limit"
           }
          },
          "required": [
           "action",
           "account",
           "key",
           "underlying",
           "expiry",
           "right",
           "strike",
           "side",
           "quantity"
          ]
         }
        ]
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "409": {
      "$ref": "#/components/responses/Error"
     }
    },
    "description": "With 'strategy': 404 for a strategy not enabled, 409 while the market is closed unless 'force'. Otherwise a manual trade, whose intent id is manual-<key>."
   }
  },
  "/api/summary/day": {
   "get": {
    "summary": "Kept end-of-day summaries (30), or one day's",
    "tags": [
     "read"
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "properties": {
          "summaries": {
           "type": "array",
           "items": {
            "type": "object",
            "properties": {
             "date": {
              "type": "string"
             },
             "made_ns": {
              "type": "integer"
             },
             "text": {
              "type": "string"
             },
             "summary": {
              "type": "object",
              "nullable": true
             }
            },
            "required": [
             "date",
             "text"
            ]
           }
          }
         },
         "required": [
          "summaries"
         ]
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    },
    "parameters": [
     {
      "name": "date",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "date"
      },
      "description": "The NYSE session, YYYY-MM-DD"
     }
    ]
   },
   "post": {
    "summary": "Make the end-of-day summary now (the last closed session, or 'date') and send it to the alert sinks",
    "tags": [
     "write"
    ],
    "security": [
     {
      "bearer": []
     }
    ],
    "requestBody": {
     "required": false,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "properties": {
         "date": {
          "type": "string",
          "format": "date"
         }
        }
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "properties": {
          "date": {
           "type": "string"
          },
          "made_ns": {
           "type": "integer"
          },
          "text": {
           "type": "string"
          },
          "summary": {
           "type": "object"
          }
         },
         "required": [
          "date",
          "text"
         ]
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     },
     "409": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/events": {
   "get": {
    "summary": "Server-sent events: hello, risk, alert, changed (the views to refetch)",
    "tags": [
     "read"
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "text/event-stream": {
        "schema": {
         "type": "string"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  }
 },
 "components": {
  "securitySchemes": {
   "bearer": {
    "type": "http",
    "scheme": "bearer"
   }
  },
  "schemas": {
   "Error": {
    "type": "object",
    "properties": {
     "error": {
      "type": "string",
      "minLength": 1
     }
    },
    "required": [
     "error"
    ]
   }
  },
  "responses": {
   "Error": {
    "description": "A refusal, with the reason",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   }
  }
 }
}
"""#
}
