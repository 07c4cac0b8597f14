import type { Construct } from "constructs";
import type { ProtonTemplate } from "../src/authoring/template";
import { StarterEnvironment } from "./starter-environment/stack";
import { StarterService } from "./starter-service/stack";
import { VpcEcsEnvironment } from "./vpc-ecs-environment/stack";
import { PublicWebService } from "./public-web-service/stack";
import { PrivateWebService } from "./private-web-service/stack";
import { S3Service } from "./s3-service/stack";
import { DynamodbService } from "./dynamodb-service/stack";
import { PostgresService } from "./postgres-service/stack";
import { FunctionService } from "./function-service/stack";
import { AccountBootstrap } from "./account-bootstrap/stack";
import { AccountBootstrapV2 } from "./account-bootstrap/v2";

/** A template class as the catalog lists it. */
export type TemplateClass = new (scope: Construct) => ProtonTemplate;

/** Every template `npm run synth` writes to proton-bundles/, in dependency order. */
export const catalog: readonly TemplateClass[] = [StarterEnvironment, StarterService, VpcEcsEnvironment, PublicWebService, PrivateWebService, S3Service, DynamodbService, PostgresService, FunctionService, AccountBootstrap, AccountBootstrapV2];
