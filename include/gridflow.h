/*
 * gridflow.h - libgridflow, the engine under a social-governance command
 * centre: ingest events from every channel, route them to the right
 * department, and run the closed loop of the work order.
 *
 * This umbrella header is the whole public API: if it is not reachable
 * from here, it is not API. Adapters (gridflow/adapters/) stand apart.
 * Copyright (c) 2026 the libgridflow authors. MIT licence, see LICENSE.
 */
#ifndef GRIDFLOW_H
#define GRIDFLOW_H

#include "gridflow/common.h"
#include "gridflow/event.h"
#include "gridflow/config.h"
#include "gridflow/order.h"
#include "gridflow/engine.h"

#endif /* GRIDFLOW_H */
