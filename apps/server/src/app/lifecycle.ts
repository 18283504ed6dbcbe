import { Injectable } from '@nestjs/common';

/** Whether the process takes traffic: false from the first shutdown signal. */
@Injectable()
export class Lifecycle {
  ready = true;
}
