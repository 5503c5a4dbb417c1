export { DEFAULT_PORTS, type DemoOptions, type DemoPorts, PORT_ENV, type RunningDemo, startDemo } from './demo.js';
export { type FlowLink, landingPage } from './landing.js';
export { PortInUseError } from './listen.js';
