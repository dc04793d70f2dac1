import { IPeerable, IServesTraffic } from '../stateful';

/** An experiment-tracking server that training jobs report to (MLflow); `allowFrom` admits clients to `port`. */
export interface ITrackingServer extends IPeerable, IServesTraffic {
  /** URI clients set as MLFLOW_TRACKING_URI, e.g. `http://mlflow.ml-tracking.svc.cluster.local:5000`. */
  readonly trackingUri: string;
  /** TCP port clients connect to (admitted by the server's NetworkPolicy). */
  readonly port: number;
}
