/**
 * Planned maintenance (MaintenanceConfigurations_*): get, list, create/update and delete of a
 * managed cluster's `default`, `aksManagedAutoUpgradeSchedule` and `aksManagedNodeOSUpgradeSchedule`
 * configurations, validated as AKS validates them ("Use planned maintenance to schedule and control
 * upgrades", the REST spec's constraints, AKS's own error wordings where public). Shapes follow the
 * official examples: `{ id, name, properties }` with no `type` and no `systemData`, as AKS answers
 * (the documented `az aks maintenanceconfiguration show` output has both null).
 */
import { json, type SimResponse } from '../net/http-kit.ts';
import { clusterId, type ClusterState, type MaintenanceConfigState } from '../aks/model.ts';
import { getCluster, jsonBody, type ArmCall } from './call.ts';
import { aksError } from './errors.ts';
import { isObject } from './fields.ts';

export const MAINTENANCE_CONFIG_NAMES = [
  'default',
  'aksManagedAutoUpgradeSchedule',
  'aksManagedNodeOSUpgradeSchedule',
] as const;

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const WEEK_INDEXES = ['First', 'Second', 'Third', 'Fourth', 'Last'];
const SCHEDULE_TYPES = ['daily', 'weekly', 'absoluteMonthly', 'relativeMonthly'] as const;

/** A maintenance configuration AKS refuses: 400 InvalidParameter, AKS's own (flat) error. */
export class MaintenanceConfigError extends Error {
  readonly target: string | undefined;
  constructor(message: string, target?: string) {
    super(message);
    this.target = target;
  }
}

function refuse(message: string, target?: string): never {
  throw new MaintenanceConfigError(message, target);
}

/** The configuration's name as AKS spells it, or the refusal AKS gives for any other. */
export function canonicalConfigName(name: string): (typeof MAINTENANCE_CONFIG_NAMES)[number] {
  const found = MAINTENANCE_CONFIG_NAMES.find((n) => n.toLowerCase() === name.toLowerCase());
  if (!found) {
    refuse(
      "Only 'default', 'aksManagedAutoUpgradeSchedule' and 'aksManagedNodeOSUpgradeSchedule' are allowed configNames for maintenance configuration.",
      'configName',
    );
  }
  return found;
}

function int(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    refuse(
      `${path} ${value === undefined ? 'is required' : `is ${JSON.stringify(value)}`}: it must be an integer from ${min} to ${max}.`,
      path,
    );
  }
  return value;
}

function oneOf(value: unknown, path: string, allowed: string[]): string {
  const found =
    typeof value === 'string'
      ? allowed.find((a) => a.toLowerCase() === value.toLowerCase())
      : undefined;
  if (!found) {
    refuse(
      `${path} ${value === undefined ? 'is required' : `is ${JSON.stringify(value)}`}: it must be one of ${allowed.join(', ')}.`,
      path,
    );
  }
  return found;
}

function isDate(v: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}

function date(value: unknown, path: string): string {
  if (typeof value !== 'string' || !isDate(value)) {
    refuse(
      `${path} ${value === undefined ? 'is required' : `is ${JSON.stringify(value)}`}: it must be a date in the form YYYY-MM-DD.`,
      path,
    );
  }
  return value;
}

function schedule(raw: unknown, path: string, config: string): Record<string, unknown> {
  if (!isObject(raw)) refuse(`${path} is required.`, path);
  const given = SCHEDULE_TYPES.filter((t) => raw[t] !== undefined && raw[t] !== null);
  if (given.length !== 1) {
    refuse(
      "One and only one of the schedule types should be specified. Choose either 'daily', 'weekly', 'absoluteMonthly' or 'relativeMonthly' for your maintenance schedule.",
      path,
    );
  }
  const type = given[0]!;
  if (config === 'default' && type !== 'weekly') {
    refuse(
      'Only weekly schedule is supported for control plane upgrade maintenance configuration: default.',
      `${path}.${type}`,
    );
  }
  const s = raw[type];
  const p = `${path}.${type}`;
  if (!isObject(s)) refuse(`${p} must be an object.`, p);
  switch (type) {
    case 'daily':
      return { daily: { intervalDays: int(s.intervalDays, `${p}.intervalDays`, 1, 7) } };
    case 'weekly':
      return {
        weekly: {
          dayOfWeek: oneOf(s.dayOfWeek, `${p}.dayOfWeek`, WEEKDAYS),
          intervalWeeks: int(s.intervalWeeks, `${p}.intervalWeeks`, 1, 4),
        },
      };
    case 'absoluteMonthly':
      return {
        absoluteMonthly: {
          dayOfMonth: int(s.dayOfMonth, `${p}.dayOfMonth`, 1, 31),
          intervalMonths: int(s.intervalMonths, `${p}.intervalMonths`, 1, 6),
        },
      };
    default:
      return {
        relativeMonthly: {
          dayOfWeek: oneOf(s.dayOfWeek, `${p}.dayOfWeek`, WEEKDAYS),
          intervalMonths: int(s.intervalMonths, `${p}.intervalMonths`, 1, 6),
          weekIndex: oneOf(s.weekIndex, `${p}.weekIndex`, WEEK_INDEXES),
        },
      };
  }
}

function maintenanceWindow(raw: unknown, config: string, today: string): Record<string, unknown> {
  const path = 'properties.maintenanceWindow';
  if (!isObject(raw)) refuse(`${path} must be an object.`, path);
  const out: Record<string, unknown> = {
    durationHours: int(raw.durationHours, `${path}.durationHours`, 4, 24),
  };
  if (raw.notAllowedDates !== undefined && raw.notAllowedDates !== null) {
    if (!Array.isArray(raw.notAllowedDates))
      refuse(`${path}.notAllowedDates must be an array.`, `${path}.notAllowedDates`);
    out.notAllowedDates = raw.notAllowedDates.map((span, i) => {
      const sp = `${path}.notAllowedDates[${i}]`;
      if (!isObject(span)) refuse(`${sp} must be an object with start and end.`, sp);
      const start = date(span.start, `${sp}.start`);
      const end = date(span.end, `${sp}.end`);
      if (end < start) refuse(`${sp}: end (${end}) is before start (${start}).`, sp);
      return { end, start };
    });
  }
  out.schedule = schedule(raw.schedule, `${path}.schedule`, config);
  out.startDate =
    raw.startDate === undefined || raw.startDate === null
      ? today
      : date(raw.startDate, `${path}.startDate`);
  const st = raw.startTime;
  const tm = typeof st === 'string' ? /^(\d{2}):(\d{2})$/.exec(st) : null;
  if (!tm || Number(tm[1]) > 23 || Number(tm[2]) > 59) {
    refuse(
      `${path}.startTime ${st === undefined ? 'is required' : `is ${JSON.stringify(st)}`}: accepted values are from '00:00' to '23:59'.`,
      `${path}.startTime`,
    );
  }
  out.startTime = st;
  const off = raw.utcOffset ?? '+00:00';
  const om = typeof off === 'string' ? /^([-+])(\d{2}):(\d{2})$/.exec(off) : null;
  const minutes = om ? (om[1] === '-' ? -1 : 1) * (Number(om[2]) * 60 + Number(om[3])) : NaN;
  if (!om || Number(om[3]) > 59 || minutes < -12 * 60 || minutes > 14 * 60) {
    refuse(
      `${path}.utcOffset is ${JSON.stringify(off)}: it must be in the format +/-HH:mm, from -12:00 to +14:00, e.g. '+05:30' or '-07:00'.`,
      `${path}.utcOffset`,
    );
  }
  out.utcOffset = off;
  return out;
}

function timeInWeek(raw: unknown): Record<string, unknown>[] {
  const path = 'properties.timeInWeek';
  if (!Array.isArray(raw)) refuse(`${path} must be an array.`, path);
  return raw.map((t, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(t)) refuse(`${p} must be an object with day and hourSlots.`, p);
    const day = oneOf(t.day, `${p}.day`, WEEKDAYS);
    if (!Array.isArray(t.hourSlots) || t.hourSlots.length === 0)
      refuse(`${p}.hourSlots must list at least one hour from 0 to 23.`, `${p}.hourSlots`);
    const hourSlots = t.hourSlots.map((h, j) => int(h, `${p}.hourSlots[${j}]`, 0, 23));
    return { day, hourSlots };
  });
}

function notAllowedTime(raw: unknown): Record<string, unknown>[] {
  const path = 'properties.notAllowedTime';
  if (!Array.isArray(raw)) refuse(`${path} must be an array.`, path);
  return raw.map((t, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(t) || typeof t.start !== 'string' || typeof t.end !== 'string')
      refuse(`${p} must have start and end date-times.`, p);
    const start = Date.parse(t.start);
    const end = Date.parse(t.end);
    if (Number.isNaN(start) || Number.isNaN(end))
      refuse(`${p}: start and end must be date-times such as 2026-12-24T00:00:00Z.`, p);
    if (end <= start) refuse(`${p}: end (${t.end}) is not after start (${t.start}).`, p);
    return { end: t.end, start: t.start };
  });
}

/**
 * The properties AKS stores for configuration `name` (its canonical spelling), or the refusal:
 * `default` takes the legacy timeInWeek/notAllowedTime or a weekly maintenanceWindow; the two
 * aksManaged* ones take a maintenanceWindow only (daily, weekly, absoluteMonthly or relativeMonthly).
 */
export function validateMaintenanceConfig(
  name: string,
  props: Record<string, unknown>,
  today: string,
): Record<string, unknown> {
  const config = canonicalConfigName(name);
  const has = (k: string) => props[k] !== undefined && props[k] !== null;
  const legacy = has('timeInWeek') || has('notAllowedTime');
  if (config !== 'default' && legacy) {
    refuse(
      `timeInWeek and notAllowedTime are only supported by the maintenance configuration default; ${config} takes a maintenanceWindow.`,
      has('timeInWeek') ? 'properties.timeInWeek' : 'properties.notAllowedTime',
    );
  }
  if (legacy && has('maintenanceWindow')) {
    refuse(
      'A maintenance configuration takes either maintenanceWindow or the legacy timeInWeek and notAllowedTime, not both.',
      'properties.maintenanceWindow',
    );
  }
  if (legacy) {
    const out: Record<string, unknown> = {};
    if (has('notAllowedTime')) out.notAllowedTime = notAllowedTime(props.notAllowedTime);
    if (has('timeInWeek')) out.timeInWeek = timeInWeek(props.timeInWeek);
    return out;
  }
  if (!has('maintenanceWindow')) {
    refuse(
      config === 'default'
        ? 'The maintenance configuration default needs a maintenanceWindow (or the legacy timeInWeek).'
        : `The maintenance configuration ${config} needs a maintenanceWindow.`,
      'properties.maintenanceWindow',
    );
  }
  return { maintenanceWindow: maintenanceWindow(props.maintenanceWindow, config, today) };
}

function resource(cluster: ClusterState, c: MaintenanceConfigState): Record<string, unknown> {
  return {
    id: `${clusterId(cluster)}/maintenanceConfigurations/${c.name}`,
    name: c.name,
    properties: c.properties,
  };
}

function configs(cluster: ClusterState): MaintenanceConfigState[] {
  return (cluster.maintenanceConfigurations ??= []);
}

function find(cluster: ClusterState, name: string): MaintenanceConfigState | undefined {
  return configs(cluster).find((c) => c.name.toLowerCase() === name.toLowerCase());
}

export function listMaintenanceConfigurations(call: ArmCall): SimResponse {
  const cluster = getCluster(call);
  return json(200, { value: configs(cluster).map((c) => resource(cluster, c)) });
}

export function getMaintenanceConfiguration(call: ArmCall): SimResponse {
  const cluster = getCluster(call);
  const c = find(cluster, call.params.config!);
  if (!c) {
    throw aksError(
      404,
      'NotFound',
      `Maintenance configuration ${call.params.config} was not found in managed cluster ${cluster.name}.`,
    );
  }
  return json(200, resource(cluster, c));
}

/** PUT: 201 with the stored configuration when new, 200 when it replaces one. */
export function putMaintenanceConfiguration(call: ArmCall): SimResponse {
  const cluster = getCluster(call);
  const body = jsonBody(call);
  const props = isObject(body.properties) ? body.properties : {};
  let properties: Record<string, unknown>;
  let name: string;
  try {
    name = canonicalConfigName(call.params.config!);
    properties = validateMaintenanceConfig(name, props, call.state.clock.iso().slice(0, 10));
  } catch (err) {
    if (err instanceof MaintenanceConfigError)
      throw aksError(
        400,
        'InvalidParameter',
        err.message,
        err.target ? { target: err.target } : {},
      );
    throw err;
  }
  const existing = find(cluster, name);
  if (existing) {
    existing.properties = properties;
    return json(200, resource(cluster, existing));
  }
  const created: MaintenanceConfigState = { name, properties };
  configs(cluster).push(created);
  return json(201, resource(cluster, created));
}

/** DELETE: 200 when it was there, 204 when there was nothing to delete. */
export function deleteMaintenanceConfiguration(call: ArmCall): SimResponse {
  const cluster = getCluster(call);
  const list = configs(cluster);
  const i = list.findIndex((c) => c.name.toLowerCase() === call.params.config!.toLowerCase());
  if (i < 0) return { status: 204, headers: {} };
  list.splice(i, 1);
  return { status: 200, headers: {} };
}

/** A scenario's maintenance configurations, validated as a PUT would validate them. */
export function scenarioMaintenanceConfigs(
  specs: { name: string; [k: string]: unknown }[],
  today: string,
): MaintenanceConfigState[] {
  const out: MaintenanceConfigState[] = [];
  for (const { name, ...props } of specs) {
    const canonical = canonicalConfigName(name);
    if (out.some((c) => c.name === canonical))
      refuse(`The maintenance configuration ${canonical} is declared twice.`);
    out.push({ name: canonical, properties: validateMaintenanceConfig(canonical, props, today) });
  }
  return out;
}
